/**
 * Test certificates on brainpoolP256r1 or P-256, built with pkijs and signed with node:crypto
 * (WebCrypto cannot sign brainpool). For tests, the bench and the local OCSP responder only.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { OID } from '../oids';
import { encodeAdmission } from '../x509/admission';
import { KEY_USAGE_NAMES, TrustCert, type KeyUsageName } from '../x509/certificate';

export type Curve = 'brainpoolP256r1' | 'prime256v1';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export function generateKey(curve: Curve = 'brainpoolP256r1'): KeyPair {
  return generateKeyPairSync('ec', { namedCurve: curve });
}

export interface Issued {
  cert: TrustCert;
  key: KeyObject;
}

export interface CertSpec {
  /** Subject attributes in order, e.g. [['C','DE'],['O','…'],['CN','…']]. */
  subject: [string, string][];
  /** Issuer certificate and key; absent = self-signed with `key`. */
  issuer?: Issued;
  key?: KeyPair;
  curve?: Curve;
  serial?: Uint8Array;
  notBefore: Date;
  notAfter: Date;
  ca?: { pathLen?: number };
  keyUsage?: KeyUsageName[];
  keyUsageCritical?: boolean;
  policies?: string[];
  extKeyUsage?: string[];
  ocspUrl?: string;
  admission?: { item: string; oids: string[] };
  /** Extra extensions, e.g. an unknown critical one. */
  extra?: { oid: string; critical: boolean; value: Uint8Array }[];
}

const ATTR: Record<string, string> = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3', SN: '2.5.4.4', GN: '2.5.4.42', SERIALNUMBER: '2.5.4.5' };

export function buildName(attrs: [string, string][]): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: attrs.map(([k, v]) => {
      const type = ATTR[k] ?? k;
      const value = type === ATTR.C || type === ATTR.SERIALNUMBER ? new asn1js.PrintableString({ value: v }) : new asn1js.Utf8String({ value: v });
      return new pkijs.AttributeTypeAndValue({ type, value });
    }),
  });
}

function keyUsageBits(usages: KeyUsageName[]): asn1js.BitString {
  const bits = usages.map((u) => KEY_USAGE_NAMES.indexOf(u));
  const max = Math.max(...bits);
  const bytes = new Uint8Array((max >> 3) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return new asn1js.BitString({ valueHex: bytes, unusedBits: 7 - (max & 7) });
}

const ext = (oid: string, critical: boolean, value: asn1js.AsnType | Uint8Array) =>
  new pkijs.Extension({ extnID: oid, critical, extnValue: value instanceof Uint8Array ? value.slice().buffer : value.toBER() });

const keyId = (pub: KeyObject): Uint8Array => {
  const spki = pkijs.PublicKeyInfo.fromBER(pub.export({ type: 'spki', format: 'der' }));
  return createHash('sha1').update(spki.subjectPublicKey.valueBlock.valueHexView).digest();
};

export function ecdsaSha256(): pkijs.AlgorithmIdentifier {
  return new pkijs.AlgorithmIdentifier({ algorithmId: OID.ecdsaSha256 });
}

/** Signs DER with ECDSA-SHA256 as X.509 and CMS expect it (DER-encoded r,s). */
export const signDer = (data: Uint8Array, key: KeyObject): Uint8Array => new Uint8Array(sign('sha256', data, { key, dsaEncoding: 'der' }));

export function issueCertificate(spec: CertSpec): Issued {
  const pair = spec.key ?? generateKey(spec.curve ?? 'brainpoolP256r1');
  const issuerKey = spec.issuer?.key ?? pair.privateKey;
  const issuerPub = spec.issuer ? spec.issuer.cert.publicKey : pair.publicKey;
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = spec.serial ?? Uint8Array.from([0x01, ...randomBytes(7)]);
  cert.serialNumber = new asn1js.Integer({ valueHex: serial });
  cert.subject = buildName(spec.subject);
  cert.issuer = spec.issuer ? pkijs.RelativeDistinguishedNames.fromBER(spec.issuer.cert.subjectDer.slice().buffer) : buildName(spec.subject);
  cert.notBefore.value = spec.notBefore;
  cert.notAfter.value = spec.notAfter;
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(pair.publicKey.export({ type: 'spki', format: 'der' }));
  const exts: pkijs.Extension[] = [
    ext(OID.subjectKeyIdentifier, false, new asn1js.OctetString({ valueHex: keyId(pair.publicKey) })),
    ext(OID.authorityKeyIdentifier, false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyId(issuerPub) }) }).toSchema()),
    ext(OID.basicConstraints, true, new pkijs.BasicConstraints(spec.ca ? { cA: true, pathLenConstraint: spec.ca.pathLen } : {}).toSchema()),
  ];
  if (spec.keyUsage?.length) exts.push(ext(OID.keyUsage, spec.keyUsageCritical ?? true, keyUsageBits(spec.keyUsage)));
  if (spec.policies?.length) {
    exts.push(
      ext(OID.certificatePolicies, false, new pkijs.CertificatePolicies({ certificatePolicies: spec.policies.map((p) => new pkijs.PolicyInformation({ policyIdentifier: p })) }).toSchema()),
    );
  }
  if (spec.extKeyUsage?.length) exts.push(ext(OID.extKeyUsage, false, new pkijs.ExtKeyUsage({ keyPurposes: spec.extKeyUsage }).toSchema()));
  if (spec.ocspUrl) {
    const aia = new pkijs.InfoAccess({
      accessDescriptions: [new pkijs.AccessDescription({ accessMethod: OID.adOcsp, accessLocation: new pkijs.GeneralName({ type: 6, value: spec.ocspUrl }) })],
    });
    exts.push(ext(OID.authorityInfoAccess, false, aia.toSchema()));
  }
  if (spec.admission) exts.push(ext(OID.admission, false, encodeAdmission(spec.admission.item, spec.admission.oids)));
  for (const x of spec.extra ?? []) exts.push(ext(x.oid, x.critical, x.value));
  cert.extensions = exts;
  cert.signature = ecdsaSha256();
  cert.signatureAlgorithm = ecdsaSha256();
  const tbs = new Uint8Array(cert.encodeTBS().toBER());
  cert.signatureValue = new asn1js.BitString({ valueHex: signDer(tbs, issuerKey) });
  const der = new Uint8Array(cert.toSchema(true).toBER());
  return { cert: TrustCert.parse(der), key: pair.privateKey };
}

const DAY = 86_400_000;

/** A small TI-like PKI: root → eGK CA (brainpool) → CH.AUT certificates. */
export function makeEgkPki(now: Date, opts: { ocspUrl?: string; caName?: string } = {}) {
  const t = now.getTime();
  const root = issueCertificate({
    subject: [['C', 'DE'], ['O', 'popp test NOT-VALID'], ['OU', 'Zentrale Root-CA'], ['CN', 'POPP.RCA1 TEST-ONLY']],
    notBefore: new Date(t - 365 * DAY),
    notAfter: new Date(t + 3650 * DAY),
    ca: {},
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const ca = issueCertificate({
    subject: [['C', 'DE'], ['O', 'popp test NOT-VALID'], ['OU', 'Elektronische Gesundheitskarte-CA'], ['CN', opts.caName ?? 'POPP.EGK-CA1 TEST-ONLY']],
    issuer: root,
    notBefore: new Date(t - 300 * DAY),
    notAfter: new Date(t + 2000 * DAY),
    ca: { pathLen: 0 },
    keyUsage: ['keyCertSign', 'cRLSign'],
    policies: [OID.gematikPolicy],
  });
  const chAut = (o: Partial<CertSpec> & { kvnr?: string } = {}): Issued =>
    issueCertificate({
      subject: [['C', 'DE'], ['O', 'Test GKV NOT-VALID'], ['OU', '109500969'], ['OU', o.kvnr ?? 'X000000001'], ['CN', 'Test Versicherte TEST-ONLY']],
      issuer: ca,
      notBefore: new Date(t - 30 * DAY),
      notAfter: new Date(t + 1000 * DAY),
      keyUsage: ['digitalSignature'],
      policies: [OID.gematikPolicy, OID.egkAut],
      admission: { item: 'Versicherte/-r', oids: [OID.versicherter] },
      ocspUrl: opts.ocspUrl,
      ...o,
    });
  return { root, ca, chAut };
}

export type EgkPki = ReturnType<typeof makeEgkPki>;
