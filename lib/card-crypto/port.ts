/**
 * The crypto port of the card layer. Brainpool curves and AES-CMAC are missing
 * from WebCrypto, so the protocol code never calls a crypto API directly: the
 * server passes the node:crypto implementation (server/card/crypto-node.ts), a
 * browser the pure-JS one (./noble.ts). Synchronous on purpose: both backends
 * are, and the software eGK answers APDUs synchronously.
 *
 * Conventions: private keys are big-endian scalars of exactly the field size;
 * public keys are uncompressed points 04‖X‖Y; ECDH returns the X coordinate of
 * the shared point, left-padded to the field size (leading zeros kept);
 * ECDSA signatures are plain r‖s (BSI TR-03111), hashed with the curve's hash.
 */
export type CurveName = 'brainpoolP256r1' | 'brainpoolP384r1' | 'brainpoolP512r1';
export type HashName = 'SHA-1' | 'SHA-256' | 'SHA-384' | 'SHA-512';

export interface EcKeyPair {
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface CardCrypto {
  readonly name: string;
  generateKeyPair(curve: CurveName): EcKeyPair;
  publicKeyFromPrivate(curve: CurveName, privateKey: Uint8Array): Uint8Array;
  /** True when `publicKey` is an uncompressed point on the curve (not infinity). */
  isValidPublicKey(curve: CurveName, publicKey: Uint8Array): boolean;
  ecdh(curve: CurveName, privateKey: Uint8Array, peerPublicKey: Uint8Array): Uint8Array;
  ecdsaSign(curve: CurveName, privateKey: Uint8Array, message: Uint8Array): Uint8Array;
  /** False for a wrong signature; a CardError for an invalid key. */
  ecdsaVerify(curve: CurveName, publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean;
  /**
   * ECDSA over a value that is used as the hash itself (no hashing, bits2int truncation):
   * INTERNAL AUTHENTICATE with elcRoleAuthentication signs the token this way.
   */
  ecdsaSignPrehashed(curve: CurveName, privateKey: Uint8Array, digest: Uint8Array): Uint8Array;
  ecdsaVerifyPrehashed(curve: CurveName, publicKey: Uint8Array, digest: Uint8Array, signature: Uint8Array): boolean;
  digest(hash: HashName, data: Uint8Array): Uint8Array;
  /** One AES block, no chaining (IV derivation, CMAC subkeys). */
  aesEncryptBlock(key: Uint8Array, block: Uint8Array): Uint8Array;
  /** AES-CBC without padding; `data` is a multiple of 16 bytes. */
  aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array;
  randomBytes(n: number): Uint8Array;
}
