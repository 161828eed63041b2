import { CardError } from '../apdu/errors';
import type { CurveName, HashName } from './port';

export interface CurveInfo {
  name: CurveName;
  /** Field and scalar size in bytes. */
  size: number;
  hash: HashName;
  /** Object identifier, dotted and DER content bytes (RFC 5639). */
  oid: string;
  oidDer: Uint8Array;
}

export const CURVES: Record<CurveName, CurveInfo> = {
  brainpoolP256r1: {
    name: 'brainpoolP256r1',
    size: 32,
    hash: 'SHA-256',
    oid: '1.3.36.3.3.2.8.1.1.7',
    oidDer: Uint8Array.of(0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x07),
  },
  brainpoolP384r1: {
    name: 'brainpoolP384r1',
    size: 48,
    hash: 'SHA-384',
    oid: '1.3.36.3.3.2.8.1.1.11',
    oidDer: Uint8Array.of(0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0b),
  },
  brainpoolP512r1: {
    name: 'brainpoolP512r1',
    size: 64,
    hash: 'SHA-512',
    oid: '1.3.36.3.3.2.8.1.1.13',
    oidDer: Uint8Array.of(0x2b, 0x24, 0x03, 0x03, 0x02, 0x08, 0x01, 0x01, 0x0d),
  },
};

/**
 * CVCs carry no domain parameters: the curve follows from the point length
 * (OpenHealth-Core `crypto/src/exchange/elc.rs`: 65 → P256r1, 97 → P384r1, 129 → P512r1).
 */
export function curveForPointLength(length: number): CurveName {
  for (const c of Object.values(CURVES)) if (length === 1 + 2 * c.size) return c.name;
  throw new CardError('CURVE_UNSUPPORTED', 'no supported curve for this point length', { details: { length } });
}

export function curveInfo(curve: CurveName): CurveInfo {
  const c = CURVES[curve];
  if (!c) throw new CardError('CURVE_UNSUPPORTED', 'unsupported curve', { details: { curve } });
  return c;
}

/** Shape check only (length, 04 prefix); on-curve checks are the crypto port's job. */
export function assertUncompressedPoint(curve: CurveName, point: Uint8Array): void {
  const { size } = curveInfo(curve);
  if (point.length !== 1 + 2 * size || point[0] !== 0x04) {
    throw new CardError('POINT_INVALID', 'expected an uncompressed point 04‖X‖Y', {
      details: { curve, length: point.length, first: point[0] },
    });
  }
}

export function assertPrivateKey(curve: CurveName, key: Uint8Array): void {
  const { size } = curveInfo(curve);
  if (key.length !== size) {
    throw new CardError('KEY_INVALID', 'private key must have exactly the field size', { details: { curve, length: key.length } });
  }
}
