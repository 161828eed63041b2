import { CardError } from '../../../lib/apdu/errors';
import { equal, toHex } from '../../../lib/bytes';
import { curveForPointLength } from '../../../lib/card-crypto/curves';
import type { CardCrypto } from '../../../lib/card-crypto/port';
import { type Cvc, describeKeyRef } from './cvc';
import { type CvcDate, dateKey } from './date';

/** A public key the verifier trusts without a certificate (root CVC key, the card's PuK.RCA.CS). */
export interface TrustAnchor {
  chr: Uint8Array;
  point: Uint8Array;
  /** Flag list of the anchor (roots: all ones); absent = no CHAT restriction. */
  flags?: Uint8Array;
}

/** "Verifies" means the signature only; validity dates are judged separately (validityAt). */
export function verifyCvcSignature(crypto: CardCrypto, cvc: Cvc, issuerPoint: Uint8Array): boolean {
  const curve = curveForPointLength(issuerPoint.length);
  return crypto.ecdsaVerify(curve, issuerPoint, cvc.body, cvc.signature);
}

export function assertCvcSignature(crypto: CardCrypto, cvc: Cvc, issuerPoint: Uint8Array): void {
  if (!verifyCvcSignature(crypto, cvc, issuerPoint)) {
    throw new CardError('CVC_SIGNATURE_INVALID', 'CVC signature does not verify with the issuer key', {
      details: { chr: describeKeyRef(cvc.chr), car: describeKeyRef(cvc.car) },
    });
  }
}

export type Validity = 'valid' | 'expired' | 'not-yet-valid';

/** Inclusive on both ends: CED ≤ date ≤ CXD. */
export function validityAt(cvc: Cvc, date: CvcDate): Validity {
  const d = dateKey(date);
  if (d < dateKey(cvc.effectiveDate)) return 'not-yet-valid';
  if (d > dateKey(cvc.expirationDate)) return 'expired';
  return 'valid';
}

/** CHAT ⊆ issuer CHAT: same flag-list OID and no flag the issuer lacks (OpenHealth-Core cvc.rs). */
export function chatIsSubset(child: Cvc, issuerFlags: Uint8Array | undefined, issuerOid?: string): boolean {
  if (!issuerFlags) return true;
  if (issuerOid !== undefined && issuerOid !== child.chat.oid) return false;
  for (let i = 0; i < 7; i++) if ((child.chat.flags[i] & ~issuerFlags[i]) !== 0) return false;
  return true;
}

export interface ChainOptions {
  /** Check every certificate's dates against this day (service: today). Omit to skip. */
  date?: CvcDate;
  /** Check CHAT ⊆ issuer CHAT (default true). */
  checkChat?: boolean;
}

/**
 * Verifies `chain` (ordered from the certificate issued by an anchor down to the
 * leaf): CAR = issuer CHR, signature, optional dates and CHAT. Returns the anchor used.
 */
export function verifyChain(crypto: CardCrypto, chain: Cvc[], anchors: TrustAnchor[], opts: ChainOptions = {}): TrustAnchor {
  if (chain.length === 0) throw new CardError('CVC_CHAIN_INVALID', 'empty chain');
  const anchor = anchors.find((a) => equal(a.chr, chain[0].car));
  if (!anchor) {
    throw new CardError('CVC_ISSUER_UNKNOWN', 'no trust anchor for the chain', { details: { car: describeKeyRef(chain[0].car) } });
  }
  let issuer = { chr: anchor.chr, point: anchor.point, flags: anchor.flags, oid: undefined as string | undefined };
  for (const [i, c] of chain.entries()) {
    if (!equal(c.car, issuer.chr)) {
      throw new CardError('CVC_CHAIN_INVALID', 'CAR does not name the previous certificate', {
        details: { index: i, car: describeKeyRef(c.car), expected: describeKeyRef(issuer.chr) },
      });
    }
    if (i > 0 && chain[i - 1].role === 'end-entity') {
      throw new CardError('CVC_CHAIN_INVALID', 'an end-entity certificate cannot issue', { details: { index: i } });
    }
    assertCvcSignature(crypto, c, issuer.point);
    if (opts.date) {
      const v = validityAt(c, opts.date);
      if (v !== 'valid') {
        throw new CardError(v === 'expired' ? 'CVC_EXPIRED' : 'CVC_NOT_YET_VALID', `CVC ${v}`, {
          details: { index: i, chr: describeKeyRef(c.chr) },
        });
      }
    }
    if ((opts.checkChat ?? true) && !chatIsSubset(c, issuer.flags, issuer.oid)) {
      throw new CardError('CVC_CHAT_INVALID', 'CHAT exceeds the issuer CHAT', { details: { index: i, flags: toHex(c.chat.flags) } });
    }
    issuer = { chr: c.chr, point: c.publicKey.point, flags: c.chat.flags, oid: c.chat.oid };
  }
  return anchor;
}
