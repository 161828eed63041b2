import { describe, expect, it } from 'vitest';
import { AID, SFI, readBinary, selectAid } from '../../lib/apdu/commands';
import { fromHex, toHex } from '../../lib/bytes';
import { nobleCardCrypto } from '../../lib/card-crypto/noble';
import { findById, loadCardImage } from '../egk/image';
import { interopAvailable } from '../testing/interop';
import { nodeCardCrypto } from './crypto-node';
import { cardSharedSecret, deriveSessionKeys, serviceSharedSecret } from './elc';
import { SecureMessaging } from './sm/secure-messaging';
import { readCardImageXml, readVector, testServiceIdentity } from './testing/interop-fixtures';

const available = interopAvailable();

describe.skipIf(!available)('trusted-channel vector (fixed ephemeral keys)', () => {
  const v = available ? readVector() : {};
  const image = available ? loadCardImage(readCardImageXml()) : undefined;
  const cardKey = image ? findById(image, 'PrK.eGK.AUT_CVC.E256') : undefined;
  const service = available ? testServiceIdentity() : undefined;

  it.each([
    ['node', nodeCardCrypto],
    ['noble', nobleCardCrypto],
  ])('KD, Kenc, Kmac from the service side and from the card side (%s)', (_n, crypto) => {
    if (cardKey?.kind !== 'prk-elc' || !service) throw new Error('fixture');
    expect(toHex(crypto.publicKeyFromPrivate('brainpoolP256r1', fromHex(v.serverEphemeralPrivate)))).toBe(v.serverEphemeralPublic);
    expect(toHex(crypto.publicKeyFromPrivate('brainpoolP256r1', fromHex(v.cardEphemeralPrivate)))).toBe(v.cardEphemeralPublic);
    const kdService = serviceSharedSecret(crypto, {
      serviceEphemeralPrivate: fromHex(v.serverEphemeralPrivate),
      serviceStaticPrivate: service.privateKey,
      cardStaticPublic: cardKey.publicKey,
      cardEphemeralPublic: fromHex(v.cardEphemeralPublic),
    });
    const kdCard = cardSharedSecret(crypto, {
      cardStaticPrivate: cardKey.privateKey,
      cardEphemeralPrivate: fromHex(v.cardEphemeralPrivate),
      serviceEphemeralPublic: fromHex(v.serverEphemeralPublic),
      serviceStaticPublic: service.ee.publicKey.point,
    });
    expect(toHex(kdService)).toBe(v.sharedSecretKD);
    expect(toHex(kdCard)).toBe(v.sharedSecretKD);
    const keys = deriveSessionKeys(crypto, kdService);
    expect(toHex(keys.kenc)).toBe(v.Kenc);
    expect(toHex(keys.kmac)).toBe(v.Kmac);
  });

  it('service side wraps SELECT DF.ESIGN (SSC 1) and READ CH.AUT (SSC 3) byte for byte; the card side reads them back', () => {
    const keys = { kenc: fromHex(v.Kenc), kmac: fromHex(v.Kmac) };
    const service = new SecureMessaging(nodeCardCrypto, keys);
    const card = new SecureMessaging(nodeCardCrypto, keys);
    const [sel, read] = service.wrapCommands([selectAid(AID.DF_ESIGN), readBinary({ sfi: SFI.EF_C_CH_AUT_E256, ne: 65536 })]);
    expect(toHex(sel)).toBe(v.smSelectDfEsign_ssc1);
    expect(toHex(read)).toBe(v.smReadChAut_ssc3);
    const u1 = card.unwrapCommand(fromHex(v.smSelectDfEsign_ssc1));
    expect([u1.ins, u1.p1, u1.p2, toHex(u1.data), u1.ne, u1.encrypted]).toEqual([0xa4, 0x04, 0x0c, toHex(AID.DF_ESIGN), undefined, true]);
    const r1 = card.wrapResponse(new Uint8Array(0), 0x9000, { encrypt: false });
    const u2 = card.unwrapCommand(fromHex(v.smReadChAut_ssc3));
    expect([u2.ins, u2.p1, u2.p2, u2.data.length, u2.ne]).toEqual([0xb0, 0x84, 0x00, 0, 65536]);
    const r2 = card.wrapResponse(Uint8Array.of(1, 2, 3), 0x9000, { encrypt: true });
    const [a, b] = service.unwrapResponses([r1, r2]);
    expect(a.sw).toBe(0x9000);
    expect(toHex(b.data)).toBe('010203');
    expect(card.sendSequenceCounter).toBe(4n);
  });
});
