/**
 * One parsed X.509 certificate (RFC 5280). The structure is read with the strict DER reader
 * (exact bytes of names and key, duplicate extensions refused); node:crypto holds the public
 * key and verifies signatures: WebCrypto, which pkijs and @peculiar/x509 verify with, knows no
 * brainpool curve, and every eGK certificate is brainpoolP256r1.
 */
import { X509Certificate, createHash, type KeyObject } from 'node:crypto';
import * as asn1js from 'asn1js';
import { DerError, children, expectTag, readInteger, readOid, readOne, readTime, type Tlv } from '../der';
import { TrustError } from '../errors';
import { OID } from '../oids';
import { decodeAdmissionRoles } from './admission';

export const KEY_USAGE_NAMES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsageName = (typeof KEY_USAGE_NAMES)[number];

export const toHex = (b: Uint8Array | ArrayBuffer): string => Buffer.from(b instanceof ArrayBuffer ? new Uint8Array(b) : b).toString('hex');

type ParseCode = 'CERT_MALFORMED' | 'OCSP_RESPONSE_MALFORMED' | 'IMPORT_MALFORMED' | 'TSL_MALFORMED';

/** Parses exactly one BER element with asn1js (for pkijs); trailing bytes or a short read are malformed, never ignored. */
export function parseDerExact(bytes: Uint8Array, what: string, code: ParseCode, options?: Parameters<typeof asn1js.fromBER>[1]): asn1js.AsnType {
  const asn = asn1js.fromBER(bytes, options);
  if (asn.offset === -1 || asn.result.error) throw new TrustError(code, `${what}: kein gültiges DER (${asn.result.error || 'Lesefehler'})`);
  if (asn.offset !== bytes.byteLength) {
    throw new TrustError(code, `${what}: ${bytes.byteLength - asn.offset} Bytes nach dem Ende der Struktur`, { details: { length: bytes.byteLength, consumed: asn.offset } });
  }
  return asn.result;
}

export interface Extension {
  critical: boolean;
  value: Uint8Array;
}

function decodeString(t: Tlv): string | undefined {
  switch (t.tag) {
    case 0x0c: // UTF8String
      return Buffer.from(t.value).toString('utf8');
    case 0x13: // PrintableString
    case 0x16: // IA5String
    case 0x14: // TeletexString (read as Latin-1)
      return Buffer.from(t.value).toString('latin1');
    case 0x1e: // BMPString
      return Buffer.from(t.value).swap16().toString('utf16le');
    default:
      return undefined;
  }
}

/** Name ::= SEQUENCE OF SET OF AttributeTypeAndValue: attribute type → values, in order. */
function readName(t: Tlv): [string, string][] {
  const out: [string, string][] = [];
  for (const rdn of children(expectTag(t, 0x30, 'Name'))) {
    for (const atv of children(expectTag(rdn, 0x31, 'RDN'))) {
      const [type, value] = children(expectTag(atv, 0x30, 'AttributeTypeAndValue'));
      const s = value ? decodeString(value) : undefined;
      if (type && s !== undefined) out.push([readOid(type), s]);
    }
  }
  return out;
}

export class TrustCert {
  readonly der: Uint8Array;
  readonly serial: Uint8Array;
  readonly serialHex: string;
  readonly subjectDer: Uint8Array;
  readonly issuerDer: Uint8Array;
  readonly notBefore: Date;
  readonly notAfter: Date;
  readonly subject: readonly [string, string][];
  readonly issuer: readonly [string, string][];
  readonly extensions: ReadonlyMap<string, Extension>;
  /** subjectPublicKey BIT STRING contents: what an OCSP CertID's issuerKeyHash hashes. */
  readonly publicKeyBits: Uint8Array;
  readonly curveOid: string | undefined;
  private readonly spkiDer: Uint8Array;
  private nodeCert: X509Certificate | undefined;
  private key: KeyObject | undefined;
  private fp: string | undefined;

  private constructor(der: Uint8Array) {
    this.der = der;
    const [tbs, sigAlg, sig] = children(expectTag(readOne(der), 0x30, 'Certificate'));
    expectTag(sigAlg, 0x30, 'signatureAlgorithm');
    expectTag(sig, 0x03, 'signatureValue');
    const f = children(expectTag(tbs, 0x30, 'TBSCertificate'));
    let i = f[0]?.tag === 0xa0 ? 1 : 0;
    const serialT = expectTag(f[i++], 0x02, 'serialNumber');
    expectTag(f[i++], 0x30, 'signature');
    const issuerT = expectTag(f[i++], 0x30, 'issuer');
    const [nb, na] = children(expectTag(f[i++], 0x30, 'validity'));
    const subjectT = expectTag(f[i++], 0x30, 'subject');
    const spkiT = expectTag(f[i++], 0x30, 'subjectPublicKeyInfo');
    const exts = new Map<string, Extension>();
    for (const rest of f.slice(i)) {
      if (rest.tag !== 0xa3) continue; // issuer/subject unique IDs are not used in the TI
      for (const ext of children(expectTag(children(rest)[0], 0x30, 'Extensions'))) {
        const parts = children(expectTag(ext, 0x30, 'Extension'));
        const oid = readOid(parts[0]!);
        if (exts.has(oid)) throw new DerError(`extension ${oid} twice`);
        const critical = parts.length === 3 && parts[1]!.tag === 0x01 && parts[1]!.value[0] !== 0;
        exts.set(oid, { critical, value: new Uint8Array(expectTag(parts[parts.length - 1], 0x04, 'extnValue').value) });
      }
    }
    readInteger(serialT);
    this.serial = new Uint8Array(serialT.value);
    this.serialHex = toHex(this.serial);
    this.issuerDer = new Uint8Array(issuerT.raw);
    this.subjectDer = new Uint8Array(subjectT.raw);
    this.issuer = readName(issuerT);
    this.subject = readName(subjectT);
    this.notBefore = readTime(nb!);
    this.notAfter = readTime(na!);
    this.extensions = exts;
    this.spkiDer = new Uint8Array(spkiT.raw);
    const [alg, bits] = children(spkiT);
    const bitValue = expectTag(bits, 0x03, 'subjectPublicKey').value;
    this.publicKeyBits = new Uint8Array(bitValue.subarray(1));
    const params = children(expectTag(alg, 0x30, 'algorithm'))[1];
    this.curveOid = params?.tag === 0x06 ? readOid(params) : undefined;
  }

  static parse(der: Uint8Array, what = 'Zertifikat'): TrustCert {
    try {
      return new TrustCert(new Uint8Array(der));
    } catch (e) {
      throw new TrustError('CERT_MALFORMED', `${what}: nicht lesbar (${(e as Error).message})`, { cause: e });
    }
  }

  static fromBase64(b64: string, what?: string): TrustCert {
    return TrustCert.parse(Buffer.from(b64.replace(/\s+/g, ''), 'base64'), what);
  }

  /** node:crypto's view, built on first use (OpenSSL parses the certificate once more). */
  get node(): X509Certificate {
    this.nodeCert ??= new X509Certificate(this.der);
    return this.nodeCert;
  }

  get publicKey(): KeyObject {
    this.key ??= this.node.publicKey;
    return this.key;
  }

  get spki(): Uint8Array {
    return this.spkiDer;
  }

  get fingerprint256(): string {
    this.fp ??= createHash('sha256').update(this.der).digest('hex');
    return this.fp;
  }

  subjectAttr(type: string): string | undefined {
    return this.subject.find(([t]) => t === type)?.[1];
  }

  get subjectCn(): string | undefined {
    return this.subjectAttr('2.5.4.3');
  }

  get issuerCn(): string | undefined {
    return this.issuer.find(([t]) => t === '2.5.4.3')?.[1];
  }

  extension(oid: string): Extension | undefined {
    return this.extensions.get(oid);
  }

  get criticalExtensions(): string[] {
    return [...this.extensions].filter(([, e]) => e.critical).map(([oid]) => oid);
  }

  /** Key usage bits, or null when the extension is absent. */
  keyUsage(): Set<KeyUsageName> | null {
    const ext = this.extension(OID.keyUsage);
    if (!ext) return null;
    const bits = expectTag(readOne(ext.value), 0x03, 'KeyUsage').value.subarray(1);
    const out = new Set<KeyUsageName>();
    KEY_USAGE_NAMES.forEach((name, i) => {
      const byte = bits[i >> 3];
      if (byte !== undefined && (byte & (0x80 >> (i & 7))) !== 0) out.add(name);
    });
    return out;
  }

  policies(): string[] {
    const ext = this.extension(OID.certificatePolicies);
    return ext ? children(readOne(ext.value)).map((p) => readOid(children(p)[0]!)) : [];
  }

  basicConstraints(): { ca: boolean; pathLen?: number } | null {
    const ext = this.extension(OID.basicConstraints);
    if (!ext) return null;
    const parts = children(readOne(ext.value));
    const ca = parts[0]?.tag === 0x01 && parts[0].value[0] !== 0;
    const len = parts.find((p) => p.tag === 0x02);
    return { ca, pathLen: len ? Number(readInteger(len)) : undefined };
  }

  extKeyUsage(): string[] {
    const ext = this.extension(OID.extKeyUsage);
    return ext ? children(readOne(ext.value)).map(readOid) : [];
  }

  ocspUrls(): string[] {
    const ext = this.extension(OID.authorityInfoAccess);
    if (!ext) return [];
    return children(readOne(ext.value))
      .map((d) => children(d))
      .filter(([method, location]) => method && readOid(method) === OID.adOcsp && location?.tag === 0x86)
      .map(([, location]) => Buffer.from(location!.value).toString('latin1'));
  }

  subjectKeyId(): string | undefined {
    const ext = this.extension(OID.subjectKeyIdentifier);
    return ext ? toHex(expectTag(readOne(ext.value), 0x04, 'SubjectKeyIdentifier').value) : undefined;
  }

  authorityKeyId(): string | undefined {
    const ext = this.extension(OID.authorityKeyIdentifier);
    const id = ext ? children(readOne(ext.value)).find((p) => p.tag === 0x80) : undefined;
    return id ? toHex(id.value) : undefined;
  }

  /** professionOIDs of the Admission extension (Common PKI): the certificate's TI roles. */
  admissionRoles(): string[] {
    const ext = this.extension(OID.admission);
    return ext ? decodeAdmissionRoles(ext.value) : [];
  }

  isValidAt(now: Date): boolean {
    return now.getTime() >= this.notBefore.getTime() && now.getTime() <= this.notAfter.getTime();
  }

  /** Whether `issuer` signed this certificate: name chaining plus the signature, checked by OpenSSL. */
  isIssuedBy(issuer: TrustCert): boolean {
    if (Buffer.compare(Buffer.from(this.issuerDer), Buffer.from(issuer.subjectDer)) !== 0) return false;
    const aki = this.authorityKeyId();
    const ski = issuer.subjectKeyId();
    if (aki && ski && aki !== ski) return false;
    return this.verifySignature(issuer.publicKey);
  }

  verifySignature(key: KeyObject): boolean {
    try {
      return this.node.verify(key);
    } catch {
      return false;
    }
  }
}
