import { CardError } from '../../lib/apdu/errors';
import { concat, u16be } from '../../lib/bytes/bytes';
import { assertUncompressedPoint, curveForPointLength } from '../../lib/card-crypto/curves';
import type { CardCrypto } from '../../lib/card-crypto/port';

/** AES-128 session keys of the trusted channel. */
export interface SessionKeys {
  kenc: Uint8Array;
  kmac: Uint8Array;
}

/**
 * Kenc/Kmac from the shared secret KD (gemSpec_COS (N085.056) and the key-derivation
 * function for AES-128 as cited in lib-smartcards SecureMessagingConverterSoftware):
 * K = SHA-1(KD ‖ counter)[0..16], counter 00000001 for Kenc, 00000002 for Kmac.
 */
export function deriveSessionKeys(crypto: CardCrypto, kd: Uint8Array): SessionKeys {
  if (kd.length === 0) throw new CardError('KEY_INVALID', 'empty shared secret');
  const k = (c: number) => crypto.digest('SHA-1', concat(kd, Uint8Array.of(0, 0), u16be(c))).slice(0, 16);
  return { kenc: k(1), kmac: k(2) };
}

/**
 * The service's KD: ECDH(service ephemeral SK, card static PK from the card's
 * end-entity CVC) ‖ ECDH(service static SK, card ephemeral PK from GA step 1).
 */
export function serviceSharedSecret(
  crypto: CardCrypto,
  p: { serviceEphemeralPrivate: Uint8Array; serviceStaticPrivate: Uint8Array; cardStaticPublic: Uint8Array; cardEphemeralPublic: Uint8Array },
): Uint8Array {
  const curve = curveForPointLength(p.cardStaticPublic.length);
  assertUncompressedPoint(curve, p.cardEphemeralPublic);
  return concat(
    crypto.ecdh(curve, p.serviceEphemeralPrivate, p.cardStaticPublic),
    crypto.ecdh(curve, p.serviceStaticPrivate, p.cardEphemeralPublic),
  );
}

/** The card's view of the same KD: ECDH(card static SK, service eph PK) ‖ ECDH(card eph SK, service static PK). */
export function cardSharedSecret(
  crypto: CardCrypto,
  p: { cardStaticPrivate: Uint8Array; cardEphemeralPrivate: Uint8Array; serviceEphemeralPublic: Uint8Array; serviceStaticPublic: Uint8Array },
): Uint8Array {
  const curve = curveForPointLength(p.serviceStaticPublic.length);
  assertUncompressedPoint(curve, p.serviceEphemeralPublic);
  return concat(
    crypto.ecdh(curve, p.cardStaticPrivate, p.serviceEphemeralPublic),
    crypto.ecdh(curve, p.cardEphemeralPrivate, p.serviceStaticPublic),
  );
}
