import { CardError } from '../../../lib/apdu/errors';
import { latin1, toHex } from '../../../lib/bytes';
import { curveForPointLength } from '../../../lib/card-crypto/curves';
import type { CurveName } from '../../../lib/card-crypto/port';
import { type Tlv, parseSingleTlv, parseTlvs } from '../../../lib/tlv/tlv';
import { oidToString } from '../oid';
import { type CvcDate, decodeCvcDate } from './date';

/**
 * A gematik G2 card-verifiable certificate (gemSpec_COS / gemSpec_PKI; layout as in
 * lib-smartcards `Cvc.java` and OpenHealth-Core `cvc_schema.txt`):
 * 7F21 { 7F4E { 5F29 CPI, 42 CAR, 7F49 {06 usage, 86 point}, 5F20 CHR, 7F4C {06 OID, 53 flags}, 5F25 CED, 5F24 CXD }, 5F37 r‖s }.
 */
export interface Cvc {
  /** The whole 7F21 object. */
  raw: Uint8Array;
  /** The 7F21 value (7F4E ‖ 5F37): the data field of PSO VERIFY CERTIFICATE. */
  bodyAndSignature: Uint8Array;
  /** The 7F4E TLV: what the issuer signed. */
  body: Uint8Array;
  cpi: number;
  car: Uint8Array;
  chr: Uint8Array;
  publicKey: { usageOid: string; point: Uint8Array; curve: CurveName };
  chat: { oid: string; flags: Uint8Array };
  effectiveDate: CvcDate;
  expirationDate: CvcDate;
  signature: Uint8Array;
  role: CvcRole;
}

export type CvcRole = 'root-ca' | 'sub-ca' | 'end-entity';

export const CPI_G2 = 0x70;

function malformed(message: string, details?: Record<string, unknown>): never {
  throw new CardError('CVC_MALFORMED', message, { details });
}

function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t) malformed(`CVC: ${what} missing`, { tag: tag.toString(16) });
  if (t.tag !== tag) malformed(`CVC: expected ${what}`, { expected: tag.toString(16), actual: t.tag.toString(16) });
  return t;
}

/** Role from flag-list bits b0b1: 11 root, 10 sub-CA, 00 end-entity (lib-smartcards Cvc.isRootCa/isSubCa/isEndEntity). */
export function roleOf(flags: Uint8Array): CvcRole {
  const b = flags[0] >> 6;
  if (b === 3) return 'root-ca';
  if (b === 2) return 'sub-ca';
  if (b === 0) return 'end-entity';
  malformed('CVC: flag list role bits 01 are reserved');
}

/** Parses the 7F21 value (body ‖ signature), the form PSO VERIFY CERTIFICATE carries. */
export function parseCvcContent(bodyAndSignature: Uint8Array): Cvc {
  return wrap(() => parseInner(bodyAndSignature));
}

/** Parses a whole 7F21 certificate; any deviation is a CardError, never a partial result. */
export function parseCvc(bytes: Uint8Array): Cvc {
  return wrap(() => {
    const outer = parseSingleTlv(bytes, 0x7f21);
    return parseInner(outer.value);
  });
}

function wrap(f: () => Cvc): Cvc {
  try {
    return f();
  } catch (e) {
    if (e instanceof CardError && (e.code.startsWith('CVC_') || e.code === 'CURVE_UNSUPPORTED')) throw e;
    throw new CardError('CVC_MALFORMED', 'CVC does not parse', { cause: e, details: { reason: e instanceof CardError ? e.code : 'unknown' } });
  }
}

function parseInner(value: Uint8Array): Cvc {
  const parts = parseTlvs(value);
  if (parts.length !== 2) malformed('CVC: expected body and signature', { count: parts.length });
  const bodyTlv = expectTag(parts[0], 0x7f4e, 'body 7F4E');
  const sigTlv = expectTag(parts[1], 0x5f37, 'signature 5F37');
  const f = parseTlvs(bodyTlv.value);
  if (f.length !== 7) malformed('CVC: body must have 7 data objects', { count: f.length });
  const cpiT = expectTag(f[0], 0x5f29, 'CPI 5F29');
  if (cpiT.value.length !== 1) malformed('CVC: CPI length');
  if (cpiT.value[0] !== CPI_G2) {
    throw new CardError('CVC_CPI_UNSUPPORTED', 'CVC profile identifier is not 0x70', { details: { cpi: cpiT.value[0] } });
  }
  const car = expectTag(f[1], 0x42, 'CAR 42').value;
  if (car.length !== 8) malformed('CVC: CAR must be 8 bytes', { length: car.length });
  const pk = parseTlvs(expectTag(f[2], 0x7f49, 'public key 7F49').value);
  if (pk.length !== 2) malformed('CVC: public key must hold usage OID and point');
  const usageOid = oidToString(expectTag(pk[0], 0x06, 'key usage OID').value);
  const point = expectTag(pk[1], 0x86, 'point 86').value;
  const curve = curveForPointLength(point.length);
  if (point[0] !== 0x04) malformed('CVC: point is not uncompressed');
  const chr = expectTag(f[3], 0x5f20, 'CHR 5F20').value;
  if (chr.length !== 8 && chr.length !== 12) malformed('CVC: CHR must be 8 or 12 bytes', { length: chr.length });
  const chatParts = parseTlvs(expectTag(f[4], 0x7f4c, 'CHAT 7F4C').value);
  if (chatParts.length !== 2) malformed('CVC: CHAT must hold OID and flag list');
  const chatOid = oidToString(expectTag(chatParts[0], 0x06, 'CHAT OID').value);
  const flags = expectTag(chatParts[1], 0x53, 'flag list 53').value;
  if (flags.length !== 7) malformed('CVC: flag list must be 7 bytes', { length: flags.length });
  const effectiveDate = decodeCvcDate(expectTag(f[5], 0x5f25, 'CED 5F25').value);
  const expirationDate = decodeCvcDate(expectTag(f[6], 0x5f24, 'CXD 5F24').value);
  const signature = sigTlv.value;
  if (signature.length !== 64 && signature.length !== 96 && signature.length !== 128) {
    malformed('CVC: signature is not r‖s of a supported curve', { length: signature.length });
  }
  return {
    raw: encodeOuter(value),
    bodyAndSignature: value.slice(),
    body: bodyTlv.raw,
    cpi: cpiT.value[0],
    car,
    chr,
    publicKey: { usageOid, point, curve },
    chat: { oid: chatOid, flags },
    effectiveDate,
    expirationDate,
    signature,
    role: roleOf(flags),
  };
}

function encodeOuter(value: Uint8Array): Uint8Array {
  const n = value.length;
  const len = n < 0x80 ? [n] : n <= 0xff ? [0x81, n] : [0x82, n >> 8, n & 0xff];
  return Uint8Array.from([0x7f, 0x21, ...len, ...value]);
}

/** Human-readable key reference: CA names "DEGXX 8-7-02-22"-style as `DEGXX870222`, end-entity CHRs as hex. */
export function describeKeyRef(ref: Uint8Array): string {
  if (ref.length === 8 && ref.subarray(0, 5).every((b) => b >= 0x20 && b < 0x7f)) {
    return latin1(ref.subarray(0, 5)) + toHex(ref.subarray(5));
  }
  return toHex(ref);
}
