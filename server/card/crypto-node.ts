import nodeCrypto, { type KeyObject } from 'node:crypto';
import { CardError } from '../../lib/apdu/errors';
import { leftPad } from '../../lib/bytes/bytes';
import { assertPrivateKey, assertUncompressedPoint, curveInfo } from '../../lib/card-crypto/curves';
import { nobleCardCrypto } from '../../lib/card-crypto/noble';
import type { CardCrypto, CurveName, HashName } from '../../lib/card-crypto/port';
import { encodeTlv, parseSingleTlv, parseTlvs } from '../../lib/tlv/tlv';

const ID_EC_PUBLIC_KEY = Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x02, 0x01);

const u8 = (b: Buffer): Uint8Array => new Uint8Array(b.buffer, b.byteOffset, b.byteLength).slice();

/** SubjectPublicKeyInfo DER for a raw point: node imports brainpool keys only as DER, not JWK. */
export function spkiFromPoint(curve: CurveName, point: Uint8Array): Uint8Array {
  const { oidDer } = curveInfo(curve);
  const alg = encodeTlv(0x30, encodeTlv(0x06, ID_EC_PUBLIC_KEY), encodeTlv(0x06, oidDer));
  return encodeTlv(0x30, alg, encodeTlv(0x03, Uint8Array.of(0), point));
}

/** SEC 1 ECPrivateKey DER (RFC 5915) with the curve and public key. */
export function sec1FromPrivate(curve: CurveName, privateKey: Uint8Array, publicKey: Uint8Array): Uint8Array {
  const { oidDer } = curveInfo(curve);
  return encodeTlv(
    0x30,
    encodeTlv(0x02, Uint8Array.of(1)),
    encodeTlv(0x04, privateKey),
    encodeTlv(0xa0, encodeTlv(0x06, oidDer)),
    encodeTlv(0xa1, encodeTlv(0x03, Uint8Array.of(0), publicKey)),
  );
}

const HASH: Record<HashName, string> = { 'SHA-1': 'sha1', 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

// CA keys verify many certificates; caching their KeyObjects avoids re-parsing DER each time.
const publicKeyCache = new Map<string, KeyObject>();

function publicKeyObject(curve: CurveName, point: Uint8Array): KeyObject {
  const id = curve + Buffer.from(point).toString('hex');
  let k = publicKeyCache.get(id);
  if (!k) {
    try {
      k = nodeCrypto.createPublicKey({ key: Buffer.from(spkiFromPoint(curve, point)), format: 'der', type: 'spki' });
    } catch (e) {
      throw new CardError('POINT_INVALID', 'public key not on curve', { cause: e, details: { curve } });
    }
    if (publicKeyCache.size > 256) publicKeyCache.clear();
    publicKeyCache.set(id, k);
  }
  return k;
}

function aesName(key: Uint8Array, mode: 'ecb' | 'cbc'): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new CardError('KEY_INVALID', 'AES key must be 16, 24 or 32 bytes', { details: { length: key.length } });
  }
  return `aes-${key.length * 8}-${mode}`;
}

function checkBlocks(data: Uint8Array): void {
  if (data.length % 16 !== 0) {
    throw new CardError('SM_PADDING_INVALID', 'AES input is not a multiple of the block size', { details: { length: data.length } });
  }
}

/**
 * setPrivateKey() costs a scalar multiplication (it derives the public key), as much as
 * half of an ECDH on brainpool. Keys are remembered per array object — the service's static
 * key is loaded once, ephemeral keys come from generateKeyPair — and dropped with it (WeakMap).
 * The bytes are compared on every use, so a caller that overwrites its array gets a fresh object.
 */
const ecdhCache = new WeakMap<Uint8Array, { curve: CurveName; bytes: Uint8Array; ecdh: nodeCrypto.ECDH }>();

function ecdhFor(curve: CurveName, privateKey: Uint8Array): nodeCrypto.ECDH {
  assertPrivateKey(curve, privateKey);
  const hit = ecdhCache.get(privateKey);
  if (hit && hit.curve === curve && Buffer.compare(hit.bytes, privateKey) === 0) return hit.ecdh;
  const e = nodeCrypto.createECDH(curve);
  try {
    e.setPrivateKey(Buffer.from(privateKey));
  } catch (err) {
    throw new CardError('KEY_INVALID', 'invalid private key', { cause: err, details: { curve } });
  }
  ecdhCache.set(privateKey, { curve, bytes: privateKey.slice(), ecdh: e });
  return e;
}

/** node:crypto (OpenSSL) implementation of the card crypto port: the server's fast path. */
export const nodeCardCrypto: CardCrypto = {
  name: 'node',
  generateKeyPair(curve) {
    const { size } = curveInfo(curve);
    const e = nodeCrypto.createECDH(curve);
    e.generateKeys();
    // getPrivateKey() drops leading zero bytes; the port promises the full field size.
    const privateKey = leftPad(u8(e.getPrivateKey()), size);
    ecdhCache.set(privateKey, { curve, bytes: privateKey.slice(), ecdh: e });
    return { privateKey, publicKey: u8(e.getPublicKey()) };
  },
  publicKeyFromPrivate(curve, privateKey) {
    return u8(ecdhFor(curve, privateKey).getPublicKey());
  },
  isValidPublicKey(curve, publicKey) {
    const { size } = curveInfo(curve);
    if (publicKey.length !== 1 + 2 * size || publicKey[0] !== 4) return false;
    try {
      nodeCrypto.ECDH.convertKey(Buffer.from(publicKey), curve, undefined, undefined, 'uncompressed');
      return true;
    } catch {
      return false;
    }
  },
  ecdh(curve, privateKey, peerPublicKey) {
    const { size } = curveInfo(curve);
    assertUncompressedPoint(curve, peerPublicKey);
    const e = ecdhFor(curve, privateKey);
    try {
      return leftPad(u8(e.computeSecret(Buffer.from(peerPublicKey))), size);
    } catch (err) {
      throw new CardError('POINT_INVALID', 'peer public key not on curve', { cause: err, details: { curve } });
    }
  },
  ecdsaSign(curve, privateKey, message) {
    const pub = this.publicKeyFromPrivate(curve, privateKey);
    const key = nodeCrypto.createPrivateKey({ key: Buffer.from(sec1FromPrivate(curve, privateKey, pub)), format: 'der', type: 'sec1' });
    return u8(nodeCrypto.sign(HASH[curveInfo(curve).hash], message, { key, dsaEncoding: 'ieee-p1363' }));
  },
  ecdsaVerify(curve, publicKey, message, signature) {
    const { size, hash } = curveInfo(curve);
    assertUncompressedPoint(curve, publicKey);
    const key = publicKeyObject(curve, publicKey);
    if (signature.length !== 2 * size) return false;
    try {
      return nodeCrypto.verify(HASH[hash], message, { key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      return false;
    }
  },
  // OpenSSL offers no ECDSA over a caller-supplied value of arbitrary length; this rare path stays pure JS.
  ecdsaSignPrehashed(curve, privateKey, digest) {
    return nobleCardCrypto.ecdsaSignPrehashed(curve, privateKey, digest);
  },
  ecdsaVerifyPrehashed(curve, publicKey, digest, signature) {
    return nobleCardCrypto.ecdsaVerifyPrehashed(curve, publicKey, digest, signature);
  },
  digest(hash, data) {
    return u8(nodeCrypto.createHash(HASH[hash]).update(data).digest());
  },
  aesEncryptBlock(key, block) {
    if (block.length !== 16) throw new CardError('SM_PADDING_INVALID', 'one AES block expected');
    const c = nodeCrypto.createCipheriv(aesName(key, 'ecb'), key, null).setAutoPadding(false);
    return u8(Buffer.concat([c.update(block), c.final()]));
  },
  aesCbcEncrypt(key, iv, data) {
    checkBlocks(data);
    const c = nodeCrypto.createCipheriv(aesName(key, 'cbc'), key, iv).setAutoPadding(false);
    return u8(Buffer.concat([c.update(data), c.final()]));
  },
  aesCbcDecrypt(key, iv, data) {
    checkBlocks(data);
    const c = nodeCrypto.createDecipheriv(aesName(key, 'cbc'), key, iv).setAutoPadding(false);
    return u8(Buffer.concat([c.update(data), c.final()]));
  },
  randomBytes(n) {
    return u8(nodeCrypto.randomBytes(n));
  },
};

/** Raw scalar and point from a PKCS#8/SEC1 PEM or DER brainpool private key (e.g. gematik's `.prv.pem`). */
export function importEcPrivateKey(pemOrDer: string | Uint8Array): { curve: CurveName; privateKey: Uint8Array; publicKey: Uint8Array } {
  let key: KeyObject;
  try {
    key =
      typeof pemOrDer === 'string'
        ? nodeCrypto.createPrivateKey(pemOrDer)
        : nodeCrypto.createPrivateKey({ key: Buffer.from(pemOrDer), format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw new CardError('KEY_INVALID', 'private key does not parse', { cause: e });
  }
  const details = key.asymmetricKeyDetails;
  const curve = details?.namedCurve as CurveName | undefined;
  if (key.asymmetricKeyType !== 'ec' || !curve || !['brainpoolP256r1', 'brainpoolP384r1', 'brainpoolP512r1'].includes(curve)) {
    throw new CardError('CURVE_UNSUPPORTED', 'not a brainpool EC key', { details: { curve } });
  }
  const { size } = curveInfo(curve);
  // ECPrivateKey ::= SEQUENCE { version 1, privateKey OCTET STRING, ... } (RFC 5915)
  const seq = parseTlvs(parseSingleTlv(u8(key.export({ format: 'der', type: 'sec1' })), 0x30).value);
  const octets = seq[1];
  if (!octets || octets.tag !== 0x04) throw new CardError('KEY_INVALID', 'unexpected SEC1 layout');
  const privateKey = leftPad(octets.value, size);
  return { curve, privateKey, publicKey: nodeCardCrypto.publicKeyFromPrivate(curve, privateKey) };
}

/** PKCS#8 PEM of a raw brainpool key, for writing test-PKI key files. */
export function exportEcPrivateKeyPem(curve: CurveName, privateKey: Uint8Array): string {
  const pub = nodeCardCrypto.publicKeyFromPrivate(curve, privateKey);
  const key = nodeCrypto.createPrivateKey({ key: Buffer.from(sec1FromPrivate(curve, privateKey, pub)), format: 'der', type: 'sec1' });
  return key.export({ format: 'pem', type: 'pkcs8' }).toString();
}

export function exportEcPublicKeyPem(curve: CurveName, point: Uint8Array): string {
  return publicKeyObject(curve, point).export({ format: 'pem', type: 'spki' }).toString();
}

