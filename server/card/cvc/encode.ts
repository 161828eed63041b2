import { CardError } from '../../../lib/apdu/errors';
import { assertUncompressedPoint, curveForPointLength } from '../../../lib/card-crypto/curves';
import type { CardCrypto, CurveName } from '../../../lib/card-crypto/port';
import { encodeTlv } from '../../../lib/tlv/tlv';
import { oidFromString } from '../oid';
import { type Cvc, CPI_G2, parseCvc } from './cvc';
import { type CvcDate, encodeCvcDate } from './date';

export interface CvcFields {
  car: Uint8Array;
  chr: Uint8Array;
  publicKey: { usageOid: string; point: Uint8Array };
  chat: { oid: string; flags: Uint8Array };
  effectiveDate: CvcDate;
  expirationDate: CvcDate;
}

/** The 7F4E body TLV, field order as in every gematik CVC. */
export function encodeCvcBody(f: CvcFields): Uint8Array {
  if (f.car.length !== 8) throw new CardError('PKI_INVALID_REQUEST', 'CAR must be 8 bytes');
  if (f.chr.length !== 8 && f.chr.length !== 12) throw new CardError('PKI_INVALID_REQUEST', 'CHR must be 8 or 12 bytes');
  if (f.chat.flags.length !== 7) throw new CardError('PKI_INVALID_REQUEST', 'flag list must be 7 bytes');
  assertUncompressedPoint(curveForPointLength(f.publicKey.point.length), f.publicKey.point);
  return encodeTlv(
    0x7f4e,
    encodeTlv(0x5f29, Uint8Array.of(CPI_G2)),
    encodeTlv(0x42, f.car),
    encodeTlv(0x7f49, encodeTlv(0x06, oidFromString(f.publicKey.usageOid)), encodeTlv(0x86, f.publicKey.point)),
    encodeTlv(0x5f20, f.chr),
    encodeTlv(0x7f4c, encodeTlv(0x06, oidFromString(f.chat.oid)), encodeTlv(0x53, f.chat.flags)),
    encodeTlv(0x5f25, encodeCvcDate(f.effectiveDate)),
    encodeTlv(0x5f24, encodeCvcDate(f.expirationDate)),
  );
}

export function assembleCvc(body: Uint8Array, signature: Uint8Array): Uint8Array {
  return encodeTlv(0x7f21, body, encodeTlv(0x5f37, signature));
}

/** Re-encodes a parsed CVC from its fields (round-trip proof of the encoder). */
export function encodeCvc(c: Cvc): Uint8Array {
  return assembleCvc(encodeCvcBody(c), c.signature);
}

/** Issues a CVC: ECDSA over the 7F4E body with the issuer's key (curve hash: SHA-256 for P256r1). */
export function issueCvc(crypto: CardCrypto, fields: CvcFields, issuer: { curve: CurveName; privateKey: Uint8Array }): Cvc {
  const body = encodeCvcBody(fields);
  const sig = crypto.ecdsaSign(issuer.curve, issuer.privateKey, body);
  return parseCvc(assembleCvc(body, sig));
}
