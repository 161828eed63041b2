/**
 * The card layer's crypto floor per PoPP session on the service: 1 ECDSA verify (a CVC
 * signature), 1 ephemeral keygen and 2 ECDH on brainpoolP256r1 — compared with a raw
 * P-256 ECDSA sign (what issuing the token costs) measured in the same process.
 */
import nodeCrypto from 'node:crypto';
import { command } from '../lib/apdu/command';
import { nobleCardCrypto } from '../lib/card-crypto/noble';
import type { CardCrypto } from '../lib/card-crypto/port';
import { nodeCardCrypto } from '../server/card/crypto-node';
import { SecureMessaging } from '../server/card/sm/secure-messaging';
import { type BenchSection, opsPerSecond } from './types';

function floor(c: CardCrypto) {
  const ca = c.generateKeyPair('brainpoolP256r1');
  const peer = c.generateKeyPair('brainpoolP256r1');
  const body = c.randomBytes(150);
  const sig = c.ecdsaSign('brainpoolP256r1', ca.privateKey, body);
  const staticKey = c.generateKeyPair('brainpoolP256r1');
  return () => {
    if (!c.ecdsaVerify('brainpoolP256r1', ca.publicKey, body, sig)) throw new Error('verify');
    const eph = c.generateKeyPair('brainpoolP256r1');
    c.ecdh('brainpoolP256r1', eph.privateKey, peer.publicKey);
    c.ecdh('brainpoolP256r1', staticKey.privateKey, peer.publicKey);
  };
}

export default async function bench(): Promise<BenchSection> {
  const p256 = nodeCrypto.generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const msg = nodeCrypto.randomBytes(64);
  const baseline = await opsPerSecond(() => nodeCrypto.sign('sha256', msg, p256.privateKey));
  const base = { name: 'P-256 ECDSA sign (node)', value: baseline, unit: 'ops/s' };
  const row = (name: string, value: number) => ({ name, value, unit: 'ops/s', baseline: base, ratio: value / baseline });

  const nodeFloor = await opsPerSecond(floor(nodeCardCrypto));
  const nobleFloor = await opsPerSecond(floor(nobleCardCrypto), 1000);
  const k = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
  const peer = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
  const ecdh = await opsPerSecond(() => nodeCardCrypto.ecdh('brainpoolP256r1', k.privateKey, peer.publicKey));
  const keygen = await opsPerSecond(() => nodeCardCrypto.generateKeyPair('brainpoolP256r1'));
  const sigBody = nodeCardCrypto.randomBytes(150);
  const sig = nodeCardCrypto.ecdsaSign('brainpoolP256r1', k.privateKey, sigBody);
  const verify = await opsPerSecond(() => nodeCardCrypto.ecdsaVerify('brainpoolP256r1', k.publicKey, sigBody, sig));
  const keys = { kenc: nodeCardCrypto.randomBytes(16), kmac: nodeCardCrypto.randomBytes(16) };
  const service = new SecureMessaging(nodeCardCrypto, keys);
  const card = new SecureMessaging(nodeCardCrypto, keys);
  const read = command(0, 0xb0, 0x84, 0, undefined, 65536);
  const chAut = nodeCardCrypto.randomBytes(810);
  const smRoundTrip = await opsPerSecond(() => {
    card.unwrapCommand(service.wrapCommand(read));
    service.unwrapResponse(card.wrapResponse(chAut, 0x9000, { encrypt: true }));
  });
  return {
    title: 'Card crypto floor (brainpoolP256r1)',
    notes: [
      'Floor = 1 ECDSA verify + 1 keygen + 2 ECDH on brainpoolP256r1, what one trusted-channel session costs the service at least (plus chain verification per new card).',
      'Ratio = floor sessions/s divided by raw P-256 ECDSA signs/s in the same process; OpenSSL has no optimised brainpool code, so expect well below 1.',
      'SM round trip = wrap + unwrap of a READ command and an encrypted 810-byte response, both sides (AES-128-CBC + CMAC).',
    ],
    rows: [
      row('session floor, node:crypto', nodeFloor),
      row('session floor, noble (browser path)', nobleFloor),
      row('brainpool ECDH (node)', ecdh),
      row('brainpool keygen (node)', keygen),
      row('brainpool ECDSA verify (node)', verify),
      row('SM round trip, 810-byte CH.AUT (node)', smRoundTrip),
    ],
  };
}
