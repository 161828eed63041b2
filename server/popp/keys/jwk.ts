import { createPublicKey, type KeyObject } from 'node:crypto';
import { calculateJwkThumbprint } from 'jose';

export interface EcPublicCoords {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
}

/** The bare public coordinates of a P-256 key; null for any other key type or curve. */
export function ecPublicCoords(key: KeyObject): EcPublicCoords | null {
  const pub = key.type === 'public' ? key : createPublicKey(key);
  if (pub.asymmetricKeyType !== 'ec' || pub.asymmetricKeyDetails?.namedCurve !== 'prime256v1') return null;
  const jwk = pub.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string' || typeof jwk.y !== 'string') return null;
  return { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y };
}

/** RFC 7638 SHA-256 thumbprint, as gematik's sample uses for `kid`. */
export function thumbprint(c: EcPublicCoords): Promise<string> {
  return calculateJwkThumbprint({ kty: c.kty, crv: c.crv, x: c.x, y: c.y }, 'sha256');
}
