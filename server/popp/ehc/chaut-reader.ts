import { equal } from '../../../lib/bytes/bytes';
import { parseTlvs, readTlv, type Tlv } from '../../../lib/tlv/tlv';

/**
 * A strict DER reader for just what the service takes from an X.509 certificate on
 * every check (C.CH.AUT and its CA): the signed part, the signature, issuer and
 * subject, validity. It exists for speed: asn1js alone spends ~0.6 ms on one
 * C.CH.AUT and pkijs ~1.3 ms, together more than the whole brainpool floor of a check,
 * while this walk over lib/tlv takes microseconds. card/chaut.ts (pkijs) stays the
 * reference parser; a test holds the two to the same KVNR/IK.
 */
export interface CertView {
  /** The DER of tbsCertificate: what the issuer signed. */
  tbs: Uint8Array;
  /** Outer signatureAlgorithm OID, DER content bytes. */
  signatureAlgorithm: Uint8Array;
  /** signatureValue: the DER Ecdsa-Sig-Value. */
  signature: Uint8Array;
  /** Name DER, compared byte for byte (RFC 5280 §7.1 allows it for names from one CA). */
  issuer: Uint8Array;
  subject: Uint8Array;
  subjectAttributes: { type: Uint8Array; value: string }[];
  notBefore: number;
  notAfter: number;
  /** subjectPublicKeyInfo: algorithm parameters (curve OID content) and the key bits. */
  curveOid?: Uint8Array;
  publicKey: Uint8Array;
}

/** 2.5.4.11 (OU), 1.2.840.10045.2.1 (id-ecPublicKey) as DER content bytes. */
export const OID_OU = Uint8Array.of(0x55, 0x04, 0x0b);
const OID_EC_PUBLIC_KEY = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);

function expect(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new Error(`X.509: ${what} expected`);
  return t;
}

function time(t: Tlv | undefined): number {
  if (!t || (t.tag !== 0x17 && t.tag !== 0x18)) throw new Error('X.509: time expected');
  const s = String.fromCharCode(...t.value);
  const m = t.tag === 0x17 ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s) : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  if (!m) throw new Error('X.509: time format');
  let year = Number(m[1]);
  if (t.tag === 0x17) year += year < 50 ? 2000 : 1900; // RFC 5280 §4.1.2.5.1
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]));
}

function text(t: Tlv): string {
  if (t.tag === 0x0c) return new TextDecoder('utf-8', { fatal: true }).decode(t.value);
  if (t.tag === 0x1e) {
    let s = '';
    for (let i = 0; i + 1 < t.value.length; i += 2) s += String.fromCharCode((t.value[i] << 8) | t.value[i + 1]);
    return s;
  }
  if (t.tag === 0x13 || t.tag === 0x16 || t.tag === 0x14) return String.fromCharCode(...t.value);
  throw new Error('X.509: unsupported string type');
}

function attributes(name: Tlv): { type: Uint8Array; value: string }[] {
  const out: { type: Uint8Array; value: string }[] = [];
  for (const rdn of parseTlvs(name.value)) {
    expect(rdn, 0x31, 'RDN SET');
    for (const atv of parseTlvs(rdn.value)) {
      const [type, value, extra] = parseTlvs(expect(atv, 0x30, 'AttributeTypeAndValue').value);
      if (extra) throw new Error('X.509: AttributeTypeAndValue has extra fields');
      out.push({ type: expect(type, 0x06, 'attribute type').value, value: text(value) });
    }
  }
  return out;
}

export function readCertificate(der: Uint8Array): CertView {
  const cert = readTlv(der);
  if (cert.tag !== 0x30 || cert.end !== der.length) throw new Error('X.509: not one DER SEQUENCE');
  const [tbsT, algT, sigT, extra] = parseTlvs(cert.value);
  if (extra) throw new Error('X.509: trailing fields');
  expect(tbsT, 0x30, 'tbsCertificate');
  const sigAlg = expect(parseTlvs(expect(algT, 0x30, 'signatureAlgorithm').value)[0], 0x06, 'algorithm OID').value;
  const bits = expect(sigT, 0x03, 'signatureValue').value;
  if (bits.length < 2 || bits[0] !== 0) throw new Error('X.509: signature bit string');
  const f = parseTlvs(tbsT.value);
  let i = f[0]?.tag === 0xa0 ? 1 : 0; // [0] version
  expect(f[i++], 0x02, 'serialNumber');
  const innerAlg = expect(f[i++], 0x30, 'signature');
  if (!equal(innerAlg.raw, algT.raw)) throw new Error('X.509: inner and outer signature algorithms differ');
  const issuer = expect(f[i++], 0x30, 'issuer');
  const [nb, na, more] = parseTlvs(expect(f[i++], 0x30, 'validity').value);
  if (more) throw new Error('X.509: validity has extra fields');
  const subject = expect(f[i++], 0x30, 'subject');
  const [spkiAlg, spkiKey] = parseTlvs(expect(f[i++], 0x30, 'subjectPublicKeyInfo').value);
  const [keyAlg, params] = parseTlvs(expect(spkiAlg, 0x30, 'key algorithm').value);
  const key = expect(spkiKey, 0x03, 'subjectPublicKey').value;
  return {
    tbs: tbsT.raw,
    signatureAlgorithm: sigAlg,
    signature: bits.slice(1),
    issuer: issuer.raw,
    subject: subject.raw,
    subjectAttributes: attributes(subject),
    notBefore: time(nb),
    notAfter: time(na),
    curveOid: equal(expect(keyAlg, 0x06, 'key algorithm OID').value, OID_EC_PUBLIC_KEY) && params?.tag === 0x06 ? params.value : undefined,
    publicKey: key.slice(1),
  };
}

/** Ecdsa-Sig-Value (DER) → r‖s with each half `size` bytes. */
export function plainEcdsaSignature(der: Uint8Array, size: number): Uint8Array {
  const seq = readTlv(der);
  if (seq.tag !== 0x30 || seq.end !== der.length) throw new Error('ECDSA signature: not a SEQUENCE');
  const ints = parseTlvs(seq.value);
  if (ints.length !== 2 || ints.some((t) => t.tag !== 0x02)) throw new Error('ECDSA signature: two INTEGERs expected');
  const out = new Uint8Array(2 * size);
  ints.forEach((t, k) => {
    let v = t.value;
    while (v.length > size && v[0] === 0) v = v.subarray(1);
    if (v.length > size) throw new Error('ECDSA signature: integer too long');
    out.set(v, (k + 1) * size - v.length);
  });
  return out;
}

const OID_CN = Uint8Array.of(0x55, 0x04, 0x03);
const OID_GIVEN_NAME = Uint8Array.of(0x55, 0x04, 0x2a);
const OID_SURNAME = Uint8Array.of(0x55, 0x04, 0x04);

/**
 * The card holder's name for the practice's list (given name + surname, else CN). Shown
 * to staff only, never put into the token; null when the certificate names nobody.
 */
export function holderName(view: CertView): string | null {
  const first = (oid: Uint8Array) => view.subjectAttributes.find((a) => equal(a.type, oid))?.value?.trim();
  const given = first(OID_GIVEN_NAME);
  const sur = first(OID_SURNAME);
  const name = given && sur ? `${given} ${sur}` : first(OID_CN);
  return name ? name.slice(0, 120) : null;
}

const KVNR = /^[A-Z][0-9]{9}$/;
const IK = /^[0-9]{9}$/;

/** KVNR and IK among the subject OUs, by pattern (as card/chaut.ts): exactly one distinct value each. */
export function kvnrAndIk(view: CertView): { kvnr: string; ik: string } {
  const ous = view.subjectAttributes.filter((a) => equal(a.type, OID_OU)).map((a) => a.value);
  const one = (re: RegExp, what: string) => {
    const v = [...new Set(ous.filter((o) => re.test(o)))];
    if (v.length !== 1) throw new Error(`C.CH.AUT: ${v.length} ${what} values`);
    return v[0];
  };
  return { kvnr: one(KVNR, 'KVNR'), ik: one(IK, 'IK') };
}
