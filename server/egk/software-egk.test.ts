import { describe, expect, it } from 'vitest';
import { encodeCommand } from '../../lib/apdu/command';
import {
  AID,
  generalAuthenticateStep1,
  generalAuthenticateStep2,
  internalAuthenticate,
  listPublicKey,
  mseSetAt,
  mseSetDst,
  psoVerifyCertificate,
  readBinary,
  selectAid,
  selectEf,
  selectMf,
} from '../../lib/apdu/commands';
import { parseResponse } from '../../lib/apdu/response';
import { concat, fromHex, toHex } from '../../lib/bytes';
import { nodeCardCrypto } from '../card/crypto-node';
import { issueCvc } from '../card/cvc/encode';
import { OID } from '../card/oid';
import { establishTrustedChannel, parseGa1Response, parseListPublicKey } from '../card/trusted-channel';
import { createTestPki, issueCard, issueServiceIdentity } from '../testpki/pki';
import { SoftwareEgk } from './software-egk';

const pki = createTestPki();
const service = issueServiceIdentity(pki);
const testCard = issueCard(pki, { kvnr: 'X110540756', ik: '109500969' });

const tx = (card: SoftwareEgk, c: Parameters<typeof encodeCommand>[0], extended?: boolean) => parseResponse(card.transmit(encodeCommand(c, { extended })));
const sw = (card: SoftwareEgk, hex: string) => toHex(card.transmit(fromHex(hex))).slice(-4);

/** Imports the service chain and runs GA 1/2; returns the service's SM session. */
function openTrustedChannel(card: SoftwareEgk) {
  for (const c of [pki.serviceSubCa.cvc, service.cvc]) {
    expect(tx(card, mseSetDst(c.car)).sw).toBe(0x9000);
    expect(tx(card, psoVerifyCertificate(c.bodyAndSignature)).sw).toBe(0x9000);
  }
  expect(tx(card, mseSetAt(9, 0x54)).sw).toBe(0x9000);
  const ga1 = tx(card, generalAuthenticateStep1(service.cvc.chr));
  expect(ga1.sw).toBe(0x9000);
  const eph = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
  const { sm } = establishTrustedChannel(nodeCardCrypto, {
    serviceStaticPrivate: service.privateKey,
    serviceEphemeral: eph,
    cardStaticPublic: testCard.cvc.publicKey.point,
    cardEphemeralPublic: parseGa1Response(nodeCardCrypto, ga1.data),
  });
  expect(tx(card, generalAuthenticateStep2(eph.publicKey)).sw).toBe(0x9000);
  expect(card.secureMessagingActive).toBe(true);
  return sm;
}

describe('SoftwareEgk: selection and reading', () => {
  it('ATR on reset; SELECT by AID, FID, parent; FCP on request', () => {
    const card = testCard.open();
    expect(toHex(card.reset())).toBe('3BD396FF81B1FE451F078081052D');
    expect(tx(card, selectAid(AID.MF)).sw).toBe(0x9000);
    expect(tx(card, selectMf()).sw).toBe(0x9000);
    expect(tx(card, selectAid(AID.DF_ESIGN)).sw).toBe(0x9000);
    const fcp = tx(card, selectEf(0xc504, { fcp: true }));
    expect(fcp.sw).toBe(0x9000);
    expect(toHex(fcp.data)).toMatch(/^62..8002.{4}8201418302C5048801208A0105C502.{4}$/);
    expect(tx(card, selectAid(fromHex('A000000167FFFFFF'))).sw).toBe(0x6a82);
    expect(tx(card, selectEf(0x1234)).sw).toBe(0x6a82);
    expect(sw(card, '00A4030C')).toBe('9000'); // parent of DF.ESIGN is the MF
    expect(sw(card, '00A4000C023F00')).toBe('9000');
    expect(sw(card, '00A4040107D2760001448000')).toBe('6A86');
  });

  it('READ BINARY by SFI and by offset: 9000, 6282, 6B00, extended Le, no current EF', () => {
    const card = testCard.open();
    expect(tx(card, readBinary({ offset: 0, ne: 10 })).sw).toBe(0x6986);
    const full = tx(card, readBinary({ sfi: 0x06, ne: 256 }));
    expect(full.sw).toBe(0x9000);
    expect(toHex(full.data)).toBe(toHex(testCard.cvc.raw));
    const n = full.data.length;
    const part = tx(card, readBinary({ offset: 10, ne: 5 }));
    expect([part.sw, toHex(part.data)]).toEqual([0x9000, toHex(full.data.slice(10, 15))]);
    const tail = tx(card, readBinary({ offset: n - 4, ne: 10 }));
    expect([tail.sw, tail.data.length]).toEqual([0x6282, 4]);
    expect(tx(card, readBinary({ offset: n, ne: 1 })).sw).toBe(0x6b00);
    expect(tx(card, readBinary({ offset: n + 100, ne: 65536 })).sw).toBe(0x6b00);
    tx(card, selectAid(AID.DF_ESIGN));
    const chAut = tx(card, readBinary({ sfi: 0x04, ne: 65536 }));
    expect([chAut.sw, toHex(chAut.data)]).toEqual([0x9000, toHex(testCard.chAut)]);
    const chunk = tx(card, readBinary({ offset: 0x100, ne: 0x100 }));
    expect(toHex(chunk.data)).toBe(toHex(testCard.chAut.slice(0x100, 0x200)));
    expect(sw(card, '00B0000000')).toBe('9000');
    expect(sw(card, '00B00000')).toBe('6700'); // no Le
    expect(sw(card, '00B0E00000')).toBe('6A86'); // P1 b7b6 must be 0 with SFI
  });

  it('LIST PUBLIC KEY lists the root key, then imported keys (B6 for CAs, A4 for end-entities)', () => {
    const card = testCard.open();
    const before = parseListPublicKey(tx(card, listPublicKey()).data);
    expect(before.map((e) => [e.usage, toHex(e.keyRef)])).toEqual([['verification', toHex(pki.cvcRoot.cvc.chr)]]);
    openTrustedChannel(card);
    card.reset();
    const after = parseListPublicKey(tx(card, listPublicKey()).data);
    expect(after.map((e) => [e.usage, toHex(e.keyRef)])).toEqual([
      ['verification', toHex(pki.cvcRoot.cvc.chr)],
      ['verification', toHex(pki.serviceSubCa.cvc.chr)],
      ['authentication', toHex(service.cvc.chr)],
    ]);
  });
});

describe('SoftwareEgk: certificates and the trusted channel', () => {
  it('MSE SET errors: unknown key 6A88, wrong algorithm 6A80, unknown DST 6A88, other P1P2 6A81', () => {
    const card = testCard.open();
    expect(tx(card, mseSetAt(0x0a, 0x54)).sw).toBe(0x6a88);
    expect(tx(card, mseSetAt(9, 0x77)).sw).toBe(0x6a80);
    expect(tx(card, mseSetDst(fromHex('0000000000000099'))).sw).toBe(0x6a88);
    expect(sw(card, '002281A4038301FF')).toBe('6A81');
    expect(sw(card, '002241A403840109')).toBe('6A80');
    expect(sw(card, '002241A4028400')).toBe('6A80');
    expect(sw(card, '002241A402840A')).toBe('6A80');
  });

  it('PSO VERIFY CERTIFICATE: tampered 6400, CAR mismatch 6A80, garbage 6A80, no DST 6A88, expired before the card’s date 6400', () => {
    const card = testCard.open();
    expect(tx(card, psoVerifyCertificate(pki.serviceSubCa.cvc.bodyAndSignature)).sw).toBe(0x6a88);
    tx(card, mseSetDst(pki.cvcRoot.cvc.chr));
    const bad = pki.serviceSubCa.cvc.bodyAndSignature.slice();
    bad[bad.length - 5] ^= 1;
    expect(tx(card, psoVerifyCertificate(bad)).sw).toBe(0x6400);
    expect(tx(card, psoVerifyCertificate(service.cvc.bodyAndSignature)).sw).toBe(0x6a80);
    expect(tx(card, psoVerifyCertificate(fromHex('7F4E03010203'))).sw).toBe(0x6a80);
    expect(tx(card, psoVerifyCertificate(bad.slice(0, 50))).sw).toBe(0x6a80);
    const old = issueCvc(
      nodeCardCrypto,
      {
        car: pki.cvcRoot.cvc.chr,
        chr: fromHex('5453545050130226'),
        publicKey: { usageOid: OID.ECDSA_WITH_SHA256, point: pki.serviceSubCa.cvc.publicKey.point },
        chat: { oid: OID.CVC_FLAGLIST_TI, flags: fromHex('80000000000003') },
        effectiveDate: { year: 2015, month: 1, day: 1 },
        expirationDate: { year: 2016, month: 1, day: 1 },
      },
      { curve: 'brainpoolP256r1', privateKey: pki.cvcRoot.key.privateKey },
    );
    expect(tx(card, psoVerifyCertificate(old.bodyAndSignature)).sw).toBe(0x6400);
    expect(tx(card, psoVerifyCertificate(pki.serviceSubCa.cvc.bodyAndSignature)).sw).toBe(0x9000);
  });

  it('a newer CVC moves the card’s point in time forward', () => {
    const card = testCard.open();
    const before = card.pointInTime;
    tx(card, mseSetDst(pki.cvcRoot.cvc.chr));
    const future = issueCvc(
      nodeCardCrypto,
      {
        car: pki.cvcRoot.cvc.chr,
        chr: fromHex('5453545050140299'),
        publicKey: { usageOid: OID.ECDSA_WITH_SHA256, point: pki.serviceSubCa.cvc.publicKey.point },
        chat: { oid: OID.CVC_FLAGLIST_TI, flags: fromHex('80000000000003') },
        effectiveDate: { year: 2090, month: 1, day: 1 },
        expirationDate: { year: 2095, month: 1, day: 1 },
      },
      { curve: 'brainpoolP256r1', privateKey: pki.cvcRoot.key.privateKey },
    );
    expect(tx(card, psoVerifyCertificate(future.bodyAndSignature)).sw).toBe(0x9000);
    expect(card.pointInTime).toBe('2090-01-01');
    expect(before < card.pointInTime).toBe(true);
    // now the (still valid today) service sub-CA is "expired" for this card
    expect(tx(card, psoVerifyCertificate(pki.serviceSubCa.cvc.bodyAndSignature)).sw).toBe(0x6400);
  });

  it('GENERAL AUTHENTICATE errors: no MSE 6985, unknown CHR 6A88, step 2 without step 1 6985, bad point 6A80', () => {
    const card = testCard.open();
    expect(tx(card, generalAuthenticateStep1(service.cvc.chr)).sw).toBe(0x6985);
    tx(card, mseSetAt(9, 0x54));
    expect(tx(card, generalAuthenticateStep1(service.cvc.chr)).sw).toBe(0x6a88);
    const eph = nodeCardCrypto.generateKeyPair('brainpoolP256r1');
    expect(tx(card, generalAuthenticateStep2(eph.publicKey)).sw).toBe(0x6985);
    openTrustedChannel(card);
    tx(card, mseSetAt(9, 0x54));
    expect(tx(card, generalAuthenticateStep1(service.cvc.chr)).sw).toBe(0x9000);
    const off = eph.publicKey.slice();
    off[40] ^= 1;
    expect(tx(card, generalAuthenticateStep2(off)).sw).toBe(0x6a80);
    expect(card.secureMessagingActive).toBe(false);
  });

  it('secure messaging: protected read works; wrong MAC → 6988 in clear and the session ends; a plain command ends it too', () => {
    const card = testCard.open();
    let sm = openTrustedChannel(card);
    const [sel, read] = sm.wrapCommands([selectAid(AID.DF_ESIGN), readBinary({ sfi: 4, ne: 65536 })]);
    const [r1, r2] = sm.unwrapResponses([card.transmit(sel), card.transmit(read)]);
    expect([r1.sw, r2.sw]).toEqual([0x9000, 0x9000]);
    expect(toHex(r2.data)).toBe(toHex(testCard.chAut));
    expect(r2.encrypted).toBe(false); // contact rule ALW: MACed, not encrypted
    const past = sm.wrapCommand(readBinary({ offset: 0x7000, ne: 16 }));
    const r3 = sm.unwrapResponse(card.transmit(past));
    expect(r3.sw).toBe(0x6b00);
    const bad = sm.wrapCommand(readBinary({ offset: 0, ne: 16 }));
    bad[bad.length - 3] ^= 1;
    expect(toHex(card.transmit(bad))).toBe('6988');
    expect(card.secureMessagingActive).toBe(false);
    expect(toHex(card.transmit(sm.wrapCommand(selectMf())))).toBe('6882');

    sm = openTrustedChannel(card);
    expect(sw(card, '00A4040C')).toBe('9000');
    expect(card.secureMessagingActive).toBe(false);
    expect(toHex(card.transmit(sm.wrapCommand(selectMf())))).toBe('6882');
  });

  it("responseEncryption 'always' returns DO 87", () => {
    const card = testCard.open({ responseEncryption: 'always' });
    const sm = openTrustedChannel(card);
    const r = sm.unwrapResponse(card.transmit(sm.wrapCommand(readBinary({ sfi: 2, ne: 256 }))));
    expect(r.encrypted).toBe(true);
    expect(toHex(r.data)).toBe('5A0A' + toHex(testCard.iccsn));
  });

  it('INTERNAL AUTHENTICATE signs token ‖ 00 with the CVC key (elcRoleAuthentication)', () => {
    const card = testCard.open();
    const token = nodeCardCrypto.randomBytes(24);
    expect(tx(card, internalAuthenticate(token)).sw).toBe(0x6985);
    expect(tx(card, mseSetAt(9, 0x00)).sw).toBe(0x9000);
    const r = tx(card, internalAuthenticate(token));
    expect(r.sw).toBe(0x9000);
    expect(r.data.length).toBe(64);
    const point = testCard.cvc.publicKey.point;
    expect(nodeCardCrypto.ecdsaVerifyPrehashed('brainpoolP256r1', point, concat(token, Uint8Array.of(0)), r.data)).toBe(true);
    expect(nodeCardCrypto.ecdsaVerifyPrehashed('brainpoolP256r1', point, token, r.data)).toBe(false);
  });
});

describe('SoftwareEgk: bad input never crashes', () => {
  it.each([
    ['', '6700'],
    ['00', '6700'],
    ['00A404', '6700'],
    ['00A4040C05AABB', '6700'],
    ['FFA4040C', '6E00'],
    ['00FF0000', '6D00'],
    ['10B0000010', '6884'],
    ['0CA4040C', '6882'],
    ['90CA010000', '6E00'],
  ])('%j → %s', (hex, expected) => {
    const card = testCard.open();
    expect(toHex(card.transmit(fromHex(hex)))).toBe(expected);
  });

  it('random APDUs always get a two-byte status, never an exception', () => {
    const card = testCard.open();
    for (let i = 0; i < 3000; i++) {
      const len = i % 40;
      const apdu = nodeCardCrypto.randomBytes(len);
      if (i % 3 === 0 && len >= 4) apdu[0] = 0x00;
      const r = card.transmit(apdu);
      expect(r.length).toBeGreaterThanOrEqual(2);
    }
  });
});
