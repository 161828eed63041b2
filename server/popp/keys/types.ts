import type { KeyObject } from 'node:crypto';

/** A published EC P-256 public key as it appears in jwks.json and the signed JWKS. */
export interface PublicJwk {
  kty: 'EC';
  crv: 'P-256';
  x: string;
  y: string;
  kid: string;
  alg: 'ES256';
  use: 'sig';
  /** base64 (not base64url) DER certificates, signer first (RFC 7517 §4.7). */
  x5c: string[];
}

/** The key that signs PoPP tokens right now. */
export interface SigningKey {
  /** RFC 7638 SHA-256 thumbprint, base64url. */
  kid: string;
  /** Usable by jose's SignJWT/CompactSign and node:crypto.sign. */
  privateKey: KeyObject;
  publicJwk: PublicJwk;
  x5c: string[];
}

/** The federation/entity key: signs the entity statement and the signed JWKS, never tokens. */
export interface EntityKey {
  kid: string;
  privateKey: KeyObject;
  publicJwk: { kty: 'EC'; crv: 'P-256'; x: string; y: string; kid: string; alg: 'ES256'; use: 'sig' };
}

export interface KeyStore {
  /** True when the keys were generated locally under the development CA. */
  readonly development: boolean;
  /** PEM of the development root CA (what a verifier configures as trust anchor in development), if any. */
  readonly devCaPem?: string;
  readonly entityKey: EntityKey;
  current(): SigningKey;
  /** The current key plus retired keys still inside their retention window. */
  published(): PublicJwk[];
  /** Makes a fresh key current; the previous one stays published until its window ends. */
  rotate(): Promise<SigningKey>;
}
