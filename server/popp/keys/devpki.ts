/**
 * The development certificate chain: a local root CA and token-signer certificates below it
 * that look like gematik's (P-256, Admission role oid_popp-token, nonRepudiation), so the
 * verifier's chain and role checks run for real in development and tests. Every certificate
 * carries DEV_MARKER_OU, which production refuses.
 *
 * Built with pkijs rather than @peculiar/x509: the latter needs a global reflect polyfill,
 * which is not a direct dependency of this project.
 */
import { createPublicKey, generateKeyPairSync, randomBytes, webcrypto, X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { encodeAdmission, ADMISSION_OID, OID_POPP_TOKEN } from './admission';

export const DEV_MARKER_OU = 'popp-development-only';
const EC = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const DAY_MS = 86_400_000;
const subtle = webcrypto.subtle as unknown as SubtleCrypto;
const engine = new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as Crypto });

/** RFC 5280 KeyUsage bits, numbered as in the ASN.1 BIT STRING. */
export const KEY_USAGE = { digitalSignature: 0, nonRepudiation: 1, keyCertSign: 5, cRLSign: 6 } as const;

export function generateP256(): { privateKey: KeyObject; privatePem: string } {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { privateKey, privatePem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString() };
}

const importPrivate = (k: KeyObject) => subtle.importKey('pkcs8', k.export({ format: 'der', type: 'pkcs8' }), EC, false, ['sign']);
const importPublic = (k: KeyObject) => subtle.importKey('spki', createPublicKey(k).export({ format: 'der', type: 'spki' }), EC, true, ['verify']);

function keyUsageBits(bits: number[]): ArrayBuffer {
  const max = Math.max(...bits);
  const bytes = new Uint8Array(Math.floor(max / 8) + 1);
  for (const b of bits) bytes[b >> 3] |= 0x80 >> (b & 7);
  const unused = 7 - (max % 8);
  return new asn1js.BitString({ valueHex: bytes, unusedBits: unused }).toBER(false);
}

function ext(extnID: string, critical: boolean, der: ArrayBuffer): pkijs.Extension {
  return new pkijs.Extension({ extnID, critical, extnValue: der });
}

/** One attribute per RDN (pkijs would otherwise put them all into one multi-valued RDN). */
function devName(cn: string, dev: boolean): pkijs.RelativeDistinguishedNames {
  const attrs: Array<[string, asn1js.BaseStringBlock]> = [
    ['2.5.4.6', new asn1js.PrintableString({ value: 'DE' })],
    ['2.5.4.10', new asn1js.Utf8String({ value: dev ? 'PoPP Entwicklung' : 'PoPP Test' })],
    ...(dev ? [['2.5.4.11', new asn1js.Utf8String({ value: DEV_MARKER_OU })] as [string, asn1js.BaseStringBlock]] : []),
    ['2.5.4.3', new asn1js.Utf8String({ value: cn.slice(0, 64) })],
  ];
  const seq = new asn1js.Sequence({
    value: attrs.map(([type, value]) => new asn1js.Set({ value: [new pkijs.AttributeTypeAndValue({ type, value }).toSchema()] })),
  });
  return pkijs.RelativeDistinguishedNames.fromBER(seq.toBER(false));
}

interface CertSpec {
  subjectCn: string;
  subjectKey: KeyObject;
  issuer?: { cert: pkijs.Certificate; key: KeyObject };
  selfKey?: KeyObject;
  ca: boolean;
  keyUsage: number[];
  notBefore: Date;
  notAfter: Date;
  extra?: pkijs.Extension[];
  dev: boolean;
}

async function makeCert(spec: CertSpec): Promise<pkijs.Certificate> {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = randomBytes(16);
  serial[0] = (serial[0] & 0x7f) | 0x01; // positive, no leading zero octet
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  cert.subject = devName(spec.subjectCn, spec.dev);
  cert.issuer = spec.issuer ? spec.issuer.cert.subject : devName(spec.subjectCn, spec.dev);
  cert.notBefore.value = spec.notBefore;
  cert.notAfter.value = spec.notAfter;
  await cert.subjectPublicKeyInfo.importKey(await importPublic(spec.subjectKey), engine);
  const ski = new Uint8Array(await subtle.digest('SHA-1', cert.subjectPublicKeyInfo.subjectPublicKey.valueBlock.valueHexView.slice()));
  const extensions = [
    ext('2.5.29.19', true, new pkijs.BasicConstraints(spec.ca ? { cA: true, pathLenConstraint: 0 } : {}).toSchema().toBER(false)),
    ext('2.5.29.15', true, keyUsageBits(spec.keyUsage)),
    ext('2.5.29.14', false, new asn1js.OctetString({ valueHex: ski }).toBER(false)),
  ];
  if (spec.issuer) {
    const issuerSki = spec.issuer.cert.extensions?.find((e) => e.extnID === '2.5.29.14');
    if (issuerSki) {
      const keyId = asn1js.fromBER(issuerSki.extnValue.valueBlock.valueHexView).result as asn1js.OctetString;
      extensions.push(ext('2.5.29.35', false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: keyId }).toSchema().toBER(false)));
    }
  }
  cert.extensions = [...extensions, ...(spec.extra ?? [])];
  await cert.sign(await importPrivate(spec.issuer?.key ?? spec.subjectKey), 'SHA-256', engine);
  return cert;
}

const toPem = (der: ArrayBuffer) => new X509Certificate(Buffer.from(der)).toString();
const parseCert = (pem: string) => pkijs.Certificate.fromBER(new X509Certificate(pem).raw);

export interface DevCa {
  certPem: string;
  privatePem: string;
}

/**
 * `markDevelopment: false` exists for tests that need a chain which is not recognisably
 * development material (the production key-file path, foreign CAs in the verifier tests).
 */
export async function createDevRootCa(nowMs: number, opts: { markDevelopment?: boolean; cn?: string } = {}): Promise<DevCa> {
  const { privateKey, privatePem } = generateP256();
  const cert = await makeCert({
    dev: opts.markDevelopment ?? true,
    subjectCn: opts.cn ?? 'PoPP Development Root CA',
    subjectKey: privateKey,
    ca: true,
    keyUsage: [KEY_USAGE.keyCertSign, KEY_USAGE.cRLSign],
    notBefore: new Date(nowMs - DAY_MS),
    notAfter: new Date(nowMs + 20 * 365 * DAY_MS),
  });
  return { certPem: toPem(cert.toSchema().toBER(false)), privatePem };
}

export interface SignerCertOptions {
  /** Admission roles; tests pass others to prove the verifier insists on oid_popp-token. Empty = no Admission extension. */
  roles?: Array<{ item: string; oid: string }>;
  keyUsage?: number[];
  notBeforeMs?: number;
  notAfterMs?: number;
  ca?: boolean;
}

/** Issues a token-signer certificate for `subjectKey`; returns x5c (signer, then root), base64 DER. */
export async function issueDevSignerCert(ca: DevCa, subjectKey: KeyObject, issuerUrl: string, nowMs: number, opts: SignerCertOptions = {}): Promise<string[]> {
  const caCert = parseCert(ca.certPem);
  const roles = opts.roles ?? [{ item: 'PoPP-Token', oid: OID_POPP_TOKEN }];
  const cert = await makeCert({
    dev: new X509Certificate(ca.certPem).subject.includes(DEV_MARKER_OU),
    subjectCn: `${safeHost(issuerUrl)} PoPP Token Signer`,
    subjectKey,
    issuer: { cert: caCert, key: createPrivateKey(ca.privatePem) },
    ca: opts.ca ?? false,
    keyUsage: opts.keyUsage ?? [KEY_USAGE.digitalSignature, KEY_USAGE.nonRepudiation],
    notBefore: new Date(opts.notBeforeMs ?? nowMs - DAY_MS),
    notAfter: new Date(opts.notAfterMs ?? nowMs + 5 * 365 * DAY_MS),
    extra: roles.length ? [ext(ADMISSION_OID, false, encodeAdmission(roles))] : [],
  });
  return [Buffer.from(cert.toSchema().toBER(false)).toString('base64'), new X509Certificate(ca.certPem).raw.toString('base64')];
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return 'popp';
  }
}
