import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { brainpoolP256r1 as nobleReference } from '@noble/curves/misc.js';
import { fromHex, toHex } from '../../lib/bytes/hex';
import { aesCmac } from '../../lib/card-crypto/cmac';
import { nobleCardCrypto } from '../../lib/card-crypto/noble';
import type { CardCrypto } from '../../lib/card-crypto/port';
import { nodeCardCrypto } from './crypto-node';

const impls: [string, CardCrypto][] = [
  ['node', nodeCardCrypto],
  ['noble', nobleCardCrypto],
];

describe.each(impls)('crypto port: %s', (_name, c) => {
  it('AES-CMAC matches NIST SP 800-38B / RFC 4493 examples', () => {
    const key = fromHex('2b7e151628aed2a6abf7158809cf4f3c');
    expect(toHex(aesCmac(c, key, new Uint8Array(0)))).toBe('BB1D6929E95937287FA37D129B756746');
    expect(toHex(aesCmac(c, key, fromHex('6bc1bee22e409f96e93d7e117393172a')))).toBe('070A16B46B4D4144F79BDD9DD04A287C');
    expect(
      toHex(aesCmac(c, key, fromHex('6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e5130c81c46a35ce411'))),
    ).toBe('DFA66747DE9AE63030CA32611497C827');
  });
  it('AES-CBC round trip and refusal of partial blocks', () => {
    const key = fromHex('000102030405060708090a0b0c0d0e0f');
    const iv = new Uint8Array(16);
    const data = fromHex('00112233445566778899aabbccddeeff');
    expect(toHex(c.aesEncryptBlock(key, data))).toBe('69C4E0D86A7B0430D8CDB78070B4C55A'); // FIPS-197 C.1
    expect(toHex(c.aesCbcDecrypt(key, iv, c.aesCbcEncrypt(key, iv, data)))).toBe(toHex(data));
    expect(() => c.aesCbcEncrypt(key, iv, new Uint8Array(15))).toThrow(expect.objectContaining({ code: 'SM_PADDING_INVALID' }));
    expect(() => c.aesEncryptBlock(new Uint8Array(5), data)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
  });
  it('digests', () => {
    expect(toHex(c.digest('SHA-1', new TextEncoder().encode('abc')))).toBe('A9993E364706816ABA3E25717850C26C9CD0D89D');
    expect(toHex(c.digest('SHA-256', new Uint8Array(0)))).toBe('E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855');
  });
  it('sign/verify and key checks on brainpoolP256r1', () => {
    const kp = c.generateKeyPair('brainpoolP256r1');
    expect(kp.privateKey.length).toBe(32);
    expect(kp.publicKey.length).toBe(65);
    const msg = new TextEncoder().encode('popp');
    const sig = c.ecdsaSign('brainpoolP256r1', kp.privateKey, msg);
    expect(c.ecdsaVerify('brainpoolP256r1', kp.publicKey, msg, sig)).toBe(true);
    const bad = sig.slice();
    bad[5] ^= 1;
    expect(c.ecdsaVerify('brainpoolP256r1', kp.publicKey, msg, bad)).toBe(false);
    expect(c.ecdsaVerify('brainpoolP256r1', kp.publicKey, msg, sig.slice(1))).toBe(false);
    const offCurve = kp.publicKey.slice();
    offCurve[64] ^= 1;
    expect(c.isValidPublicKey('brainpoolP256r1', offCurve)).toBe(false);
    expect(c.isValidPublicKey('brainpoolP256r1', kp.publicKey)).toBe(true);
    expect(() => c.ecdh('brainpoolP256r1', kp.privateKey, offCurve)).toThrow(expect.objectContaining({ code: 'POINT_INVALID' }));
    expect(() => c.ecdh('brainpoolP256r1', kp.privateKey.slice(1), kp.publicKey)).toThrow(expect.objectContaining({ code: 'KEY_INVALID' }));
    expect(() => c.ecdsaVerify('brainpoolP256r1', offCurve, msg, sig)).toThrow(expect.objectContaining({ code: 'POINT_INVALID' }));
  });
  it('P384/P512 ECDH works too', () => {
    for (const curve of ['brainpoolP384r1', 'brainpoolP512r1'] as const) {
      const a = c.generateKeyPair(curve);
      const b = c.generateKeyPair(curve);
      expect(toHex(c.ecdh(curve, a.privateKey, b.publicKey))).toBe(toHex(c.ecdh(curve, b.privateKey, a.publicKey)));
    }
  });
});

describe('node and noble agree', () => {
  it('our weierstrass brainpoolP256r1 definition matches noble misc', () => {
    const kp = nobleCardCrypto.generateKeyPair('brainpoolP256r1');
    expect(toHex(nobleReference.getPublicKey(kp.privateKey, false))).toBe(toHex(kp.publicKey));
  });
  it('property: same public keys, same ECDH, cross-verifying signatures', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 1 }), (which) => {
        const [a, b] = which ? [nodeCardCrypto, nobleCardCrypto] : [nobleCardCrypto, nodeCardCrypto];
        const k1 = a.generateKeyPair('brainpoolP256r1');
        const k2 = b.generateKeyPair('brainpoolP256r1');
        expect(toHex(b.publicKeyFromPrivate('brainpoolP256r1', k1.privateKey))).toBe(toHex(k1.publicKey));
        expect(toHex(a.ecdh('brainpoolP256r1', k1.privateKey, k2.publicKey))).toBe(toHex(b.ecdh('brainpoolP256r1', k2.privateKey, k1.publicKey)));
        const msg = a.randomBytes(40);
        expect(b.ecdsaVerify('brainpoolP256r1', k1.publicKey, msg, a.ecdsaSign('brainpoolP256r1', k1.privateKey, msg))).toBe(true);
      }),
      { numRuns: 30 },
    );
  });
});
