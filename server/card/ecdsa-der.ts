import { CardError } from '../../lib/apdu/errors';
import { concat, leftPad } from '../../lib/bytes/bytes';
import { encodeTlv, parseSingleTlv, parseTlvs } from '../../lib/tlv/tlv';

function derInteger(v: Uint8Array): Uint8Array {
  let i = 0;
  while (i < v.length - 1 && v[i] === 0) i++;
  const body = v.slice(i);
  return encodeTlv(0x02, body[0] & 0x80 ? concat(Uint8Array.of(0), body) : body);
}

/** Plain r‖s (TR-03111, CVCs, card responses) → X.509's ECDSA-Sig-Value DER. */
export function plainToDerSignature(rs: Uint8Array): Uint8Array {
  if (rs.length === 0 || rs.length % 2 !== 0) throw new CardError('KEY_INVALID', 'r‖s must have even length', { details: { length: rs.length } });
  const n = rs.length / 2;
  return encodeTlv(0x30, derInteger(rs.slice(0, n)), derInteger(rs.slice(n)));
}

/** ECDSA-Sig-Value DER → plain r‖s of `size`-byte halves (strict: two positive INTEGERs, nothing else). */
export function derToPlainSignature(der: Uint8Array, size: number): Uint8Array {
  try {
    const parts = parseTlvs(parseSingleTlv(der, 0x30).value);
    if (parts.length !== 2 || parts.some((p) => p.tag !== 0x02 || p.value.length === 0 || p.value[0] & 0x80)) {
      throw new CardError('KEY_INVALID', 'not two positive INTEGERs');
    }
    return concat(leftPad(parts[0].value, size), leftPad(parts[1].value, size));
  } catch (e) {
    throw new CardError('KEY_INVALID', 'ECDSA signature DER does not parse', { cause: e });
  }
}
