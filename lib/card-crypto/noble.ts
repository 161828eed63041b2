import { type ECDSA, ecdsa, weierstrass } from '@noble/curves/abstract/weierstrass.js';
import { brainpoolP384r1, brainpoolP512r1 } from '@noble/curves/misc.js';
import { cbc, ecb } from '@noble/ciphers/aes.js';
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha384, sha512 } from '@noble/hashes/sha2.js';
import { randomBytes } from '@noble/hashes/utils.js';
import { CardError } from '../apdu/errors';
import { assertPrivateKey, assertUncompressedPoint, curveInfo } from './curves';
import type { CardCrypto, CurveName, EcKeyPair, HashName } from './port';

/** brainpoolP256r1 domain parameters, RFC 5639 §3.4. */
const brainpoolP256r1: ECDSA = ecdsa(
  weierstrass({
    p: 0xa9fb57dba1eea9bc3e660a909d838d726e3bf623d52620282013481d1f6e5377n,
    a: 0x7d5a0975fc2c3057eef67530417affe7fb8055c126dc5c6ce94a4b44f330b5d9n,
    b: 0x26dc5c6ce94a4b44f330b5d9bbd77cbf958416295cf7e1ce6bccdc18ff8c07b6n,
    n: 0xa9fb57dba1eea9bc3e660a909d838d718c397aa3b561a6f7901e0e82974856a7n,
    h: 1n,
    Gx: 0x8bd2aeb9cb7e57cb2c4b482ffc81b7afb9de27e1e3bd23c23a4453bd9ace3262n,
    Gy: 0x547ef835c3dac4fd97f8461a14611dc9c27745132ded8e545c1d54c72f046997n,
  }),
  sha256,
  // Card and CA signatures are not normalised to low S; BTC-style malleability rules do not apply.
  { lowS: false },
);

const impl: Record<CurveName, ECDSA> = { brainpoolP256r1, brainpoolP384r1, brainpoolP512r1 };

function wrapKeyError(e: unknown, code: 'KEY_INVALID' | 'POINT_INVALID', curve: CurveName): never {
  if (e instanceof CardError) throw e;
  throw new CardError(code, code === 'KEY_INVALID' ? 'invalid private key' : 'invalid public key', { cause: e, details: { curve } });
}

function checkAes(key: Uint8Array, data?: Uint8Array): void {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new CardError('KEY_INVALID', 'AES key must be 16, 24 or 32 bytes', { details: { length: key.length } });
  }
  if (data && data.length % 16 !== 0) {
    throw new CardError('SM_PADDING_INVALID', 'AES input is not a multiple of the block size', { details: { length: data.length } });
  }
}

/** Pure-JS crypto for browsers (no WebCrypto: it has neither brainpool nor AES-CMAC). */
export const nobleCardCrypto: CardCrypto = {
  name: 'noble',
  generateKeyPair(curve): EcKeyPair {
    const c = impl[curve];
    const privateKey = c.utils.randomSecretKey();
    return { privateKey, publicKey: c.getPublicKey(privateKey, false) };
  },
  publicKeyFromPrivate(curve, privateKey) {
    assertPrivateKey(curve, privateKey);
    try {
      return impl[curve].getPublicKey(privateKey, false);
    } catch (e) {
      return wrapKeyError(e, 'KEY_INVALID', curve);
    }
  },
  isValidPublicKey(curve, publicKey) {
    const { size } = curveInfo(curve);
    if (publicKey.length !== 1 + 2 * size || publicKey[0] !== 4) return false;
    return impl[curve].utils.isValidPublicKey(publicKey, false);
  },
  ecdh(curve, privateKey, peerPublicKey) {
    assertPrivateKey(curve, privateKey);
    assertUncompressedPoint(curve, peerPublicKey);
    try {
      // Compressed output = 02|03 ‖ X, the X coordinate at full field length.
      return impl[curve].getSharedSecret(privateKey, peerPublicKey, true).slice(1);
    } catch (e) {
      return wrapKeyError(e, 'POINT_INVALID', curve);
    }
  },
  ecdsaSign(curve, privateKey, message) {
    assertPrivateKey(curve, privateKey);
    try {
      return impl[curve].sign(message, privateKey, { prehash: true, lowS: false });
    } catch (e) {
      return wrapKeyError(e, 'KEY_INVALID', curve);
    }
  },
  ecdsaVerify(curve, publicKey, message, signature) {
    const { size } = curveInfo(curve);
    assertUncompressedPoint(curve, publicKey);
    if (!impl[curve].utils.isValidPublicKey(publicKey, false)) {
      throw new CardError('POINT_INVALID', 'public key not on curve', { details: { curve } });
    }
    if (signature.length !== 2 * size) return false;
    try {
      return impl[curve].verify(signature, message, publicKey, { prehash: true, lowS: false });
    } catch {
      return false;
    }
  },
  ecdsaSignPrehashed(curve, privateKey, digest) {
    assertPrivateKey(curve, privateKey);
    if (digest.length === 0) throw new CardError('KEY_INVALID', 'empty value to sign');
    try {
      return impl[curve].sign(digest, privateKey, { prehash: false, lowS: false });
    } catch (e) {
      return wrapKeyError(e, 'KEY_INVALID', curve);
    }
  },
  ecdsaVerifyPrehashed(curve, publicKey, digest, signature) {
    const { size } = curveInfo(curve);
    assertUncompressedPoint(curve, publicKey);
    if (!impl[curve].utils.isValidPublicKey(publicKey, false)) {
      throw new CardError('POINT_INVALID', 'public key not on curve', { details: { curve } });
    }
    if (signature.length !== 2 * size || digest.length === 0) return false;
    try {
      return impl[curve].verify(signature, digest, publicKey, { prehash: false, lowS: false });
    } catch {
      return false;
    }
  },
  digest(hash: HashName, data) {
    switch (hash) {
      case 'SHA-1':
        return sha1(data);
      case 'SHA-256':
        return sha256(data);
      case 'SHA-384':
        return sha384(data);
      case 'SHA-512':
        return sha512(data);
    }
  },
  aesEncryptBlock(key, block) {
    checkAes(key, block);
    if (block.length !== 16) throw new CardError('SM_PADDING_INVALID', 'one AES block expected');
    return ecb(key, { disablePadding: true }).encrypt(block);
  },
  aesCbcEncrypt(key, iv, data) {
    checkAes(key, data);
    return cbc(key, iv, { disablePadding: true }).encrypt(data);
  },
  aesCbcDecrypt(key, iv, data) {
    checkAes(key, data);
    return cbc(key, iv, { disablePadding: true }).decrypt(data);
  },
  randomBytes(n) {
    return randomBytes(n);
  },
};
