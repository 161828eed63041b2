import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { CardError } from '../../lib/apdu/errors';
import type { CurveName } from '../../lib/card-crypto/port';
import { CURVES } from '../../lib/card-crypto/curves';
import { toHex } from '../../lib/bytes/hex';

/** What PoPP takes from C.CH.AUT: the insured person's KVNR and the insurer's IK. */
export interface ChAut {
  /** Unchangeable part of the KVNR: one capital letter and nine digits. */
  kvnr: string;
  /** Institutionskennzeichen of the insurer: nine digits. */
  ik: string;
  /** Subject O (insurer name). */
  organization?: string;
  issuerCommonName?: string;
  serialNumberHex: string;
  notBefore: Date;
  notAfter: Date;
  publicKey: { curve: CurveName; point: Uint8Array };
  /** Subject attributes in DER order (type OID, string value). */
  subject: { type: string; value: string }[];
}

const OU = '2.5.4.11';
const O = '2.5.4.10';
const CN = '2.5.4.3';
const KVNR = /^[A-Z][0-9]{9}$/;
const IK = /^[0-9]{9}$/;

function malformed(message: string, cause?: unknown): never {
  throw new CardError('CHAUT_MALFORMED', message, { cause });
}

function attrs(name: pkijs.RelativeDistinguishedNames): { type: string; value: string }[] {
  return name.typesAndValues.map((tv) => ({ type: tv.type, value: String((tv.value as { valueBlock?: { value?: unknown } }).valueBlock?.value ?? '') }));
}

function exactlyOne(values: string[], code: 'CHAUT_KVNR_MISSING' | 'CHAUT_IK_MISSING', what: string): string {
  const distinct = [...new Set(values)];
  if (distinct.length === 0) throw new CardError(code, `C.CH.AUT subject has no ${what}`);
  if (distinct.length > 1) malformed(`C.CH.AUT subject has more than one ${what}`);
  return distinct[0];
}

/**
 * Parses the eGK's C.CH.AUT (DER) with pkijs. KVNR and IK are subject OUs, told apart by
 * pattern rather than position (the test card lists IK first; gematik's sample takes the
 * first OU as KVNR after reversing the RFC 2253 string — egk-and-readers.md §2).
 */
export function parseChAut(der: Uint8Array): ChAut {
  const asn1 = asn1js.fromBER(der);
  if (asn1.offset === -1 || asn1.offset !== der.length) malformed('C.CH.AUT is not one DER object');
  let cert: pkijs.Certificate;
  try {
    cert = new pkijs.Certificate({ schema: asn1.result });
  } catch (e) {
    malformed('C.CH.AUT is not an X.509 certificate', e);
  }
  const subject = attrs(cert.subject);
  const ous = subject.filter((a) => a.type === OU).map((a) => a.value);
  const kvnr = exactlyOne(ous.filter((v) => KVNR.test(v)), 'CHAUT_KVNR_MISSING', 'KVNR');
  const ik = exactlyOne(ous.filter((v) => IK.test(v)), 'CHAUT_IK_MISSING', 'IK');
  const spki = cert.subjectPublicKeyInfo;
  const params = spki.algorithm.algorithmParams;
  const curveOid = params instanceof asn1js.ObjectIdentifier ? params.valueBlock.toString() : undefined;
  const curve = (Object.values(CURVES).find((c) => c.oid === curveOid)?.name ?? null) as CurveName | null;
  if (spki.algorithm.algorithmId !== '1.2.840.10045.2.1' || !curve) {
    throw new CardError('CURVE_UNSUPPORTED', 'C.CH.AUT key is not a brainpool EC key', { details: { curveOid } });
  }
  const point = new Uint8Array(spki.subjectPublicKey.valueBlock.valueHexView);
  return {
    kvnr,
    ik,
    organization: subject.find((a) => a.type === O)?.value,
    issuerCommonName: attrs(cert.issuer).find((a) => a.type === CN)?.value,
    serialNumberHex: toHex(new Uint8Array(cert.serialNumber.valueBlock.valueHexView)),
    notBefore: cert.notBefore.value,
    notAfter: cert.notAfter.value,
    publicKey: { curve, point },
    subject,
  };
}
