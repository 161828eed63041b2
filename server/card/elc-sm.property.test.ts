import { describe, expect, it } from 'vitest';
import { command } from '../../lib/apdu/command';
import { toHex } from '../../lib/bytes';
import { nobleCardCrypto } from '../../lib/card-crypto/noble';
import type { EcKeyPair } from '../../lib/card-crypto/port';
import { nodeCardCrypto } from './crypto-node';
import { cardSharedSecret, deriveSessionKeys, serviceSharedSecret } from './elc';
import { SecureMessaging } from './sm/secure-messaging';

/**
 * Brainpool ECDH in OpenSSL runs at ~1,100/s per core (no optimised code), and one ELC round
 * trip needs four (two per side). 10,000 random key pairs = 5,000 round trips ≈ 18 s on one
 * core, too slow for every `npm test`: by default 500 round trips (1,000 key pairs, ≈ 2 s)
 * plus keys chosen for leading zero bytes; POPP_PROPERTY_FULL=1 runs all 10,000.
 */
const ROUND_TRIPS = process.env.POPP_PROPERTY_FULL === '1' ? 5000 : 500;

/** Deterministic PRNG (xorshift32) for command shapes, so failures reproduce. */
function prng(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

function findKey(pred: (k: EcKeyPair) => boolean): EcKeyPair {
  for (let i = 0; i < 20000; i++) {
    const k = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
    if (pred(k)) return k;
  }
  throw new Error('no key found');
}

function roundTrip(serviceStatic: EcKeyPair, cardStatic: EcKeyPair, se: EcKeyPair, ce: EcKeyPair, rnd: (n: number) => number) {
  const c = nodeCardCrypto;
  const kdS = serviceSharedSecret(c, {
    serviceEphemeralPrivate: se.privateKey,
    serviceStaticPrivate: serviceStatic.privateKey,
    cardStaticPublic: cardStatic.publicKey,
    cardEphemeralPublic: ce.publicKey,
  });
  const kdC = cardSharedSecret(c, {
    cardStaticPrivate: cardStatic.privateKey,
    cardEphemeralPrivate: ce.privateKey,
    serviceEphemeralPublic: se.publicKey,
    serviceStaticPublic: serviceStatic.publicKey,
  });
  expect(kdS.length).toBe(64);
  if (toHex(kdS) !== toHex(kdC)) throw new Error(`KD mismatch for ${toHex(se.publicKey)} / ${toHex(ce.publicKey)}`);
  const ks = deriveSessionKeys(c, kdS);
  const service = new SecureMessaging(c, ks);
  const card = new SecureMessaging(c, deriveSessionKeys(c, kdC));
  const data = c.randomBytes(rnd(3) === 0 ? 0 : rnd(300));
  const neChoices = [undefined, 1, 255, 256, 257, 65536];
  const cmd = command(rnd(2) ? 0x00 : 0x10, rnd(256), rnd(256), rnd(256), data, neChoices[rnd(neChoices.length)]);
  const u = card.unwrapCommand(service.wrapCommand(cmd));
  if (toHex(u.data) !== toHex(data) || u.ne !== cmd.ne || u.ins !== cmd.ins || u.cla !== cmd.cla) throw new Error('command round trip');
  const rdata = c.randomBytes(rnd(400));
  const sw = [0x9000, 0x6282, 0x6b00, 0x6a82][rnd(4)];
  const r = service.unwrapResponse(card.wrapResponse(rdata, sw, { encrypt: rnd(2) === 1 }));
  if (toHex(r.data) !== toHex(rdata) || r.sw !== sw || !r.authenticated) throw new Error('response round trip');
}

describe('ELC key agreement + secure messaging round trips (property)', () => {
  it('keys with leading zero bytes (private key, X, Y) agree in node and noble', () => {
    const special = [
      findKey((k) => k.privateKey[0] === 0),
      findKey((k) => k.publicKey[1] === 0),
      findKey((k) => k.publicKey[33] === 0),
    ];
    const peer = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
    for (const k of special) {
      expect(k.privateKey.length).toBe(32);
      expect(k.publicKey.length).toBe(65);
      expect(toHex(nobleCardCrypto.publicKeyFromPrivate('brainpoolP256r1', k.privateKey))).toBe(toHex(k.publicKey));
      const a = nodeCardCrypto.ecdh('brainpoolP256r1', k.privateKey, peer.publicKey);
      expect(toHex(nobleCardCrypto.ecdh('brainpoolP256r1', peer.privateKey, k.publicKey))).toBe(toHex(a));
      expect(a.length).toBe(32);
      roundTrip(k, peer, special[(special.indexOf(k) + 1) % 3], k, prng(7));
    }
    // an ECDH result with a leading zero byte must keep it
    const zeroX = findKey((k) => nodeCardCrypto.ecdh('brainpoolP256r1', k.privateKey, peer.publicKey)[0] === 0);
    expect(nodeCardCrypto.ecdh('brainpoolP256r1', zeroX.privateKey, peer.publicKey)[0]).toBe(0);
    expect(toHex(nobleCardCrypto.ecdh('brainpoolP256r1', peer.privateKey, zeroX.publicKey))).toBe(
      toHex(nodeCardCrypto.ecdh('brainpoolP256r1', zeroX.privateKey, peer.publicKey)),
    );
  });

  it(`${ROUND_TRIPS} round trips with fresh ephemeral key pairs on both sides (${2 * ROUND_TRIPS} key pairs)`, () => {
    const rnd = prng(20240611);
    const serviceStatic = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
    const cardStatic = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
    for (let i = 0; i < ROUND_TRIPS; i++) {
      const se = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
      const ce = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
      roundTrip(serviceStatic, cardStatic, se, ce, rnd);
    }
  }, 120_000);
});
