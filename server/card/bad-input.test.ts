import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardError } from '../../lib/apdu/errors';
import { concat, fromHex } from '../../lib/bytes';
import { aesCmac } from '../../lib/card-crypto/cmac';
import { encodeTlv } from '../../lib/tlv/tlv';
import { createTestPki, issueCard, issueServiceIdentity } from '../testpki/pki';
import { issueX509 } from '../testpki/x509';
import { parseChAut } from './chaut';
import { nodeCardCrypto } from './crypto-node';
import { parseCvc, parseCvcContent } from './cvc/cvc';
import { assembleCvc, encodeCvcBody } from './cvc/encode';
import { derToPlainSignature, plainToDerSignature } from './ecdsa-der';
import { pad80, unpad80 } from './sm/padding';
import { SecureMessaging } from './sm/secure-messaging';
import { parseGa1Response, parseListPublicKey } from './trusted-channel';

const pki = createTestPki();
const service = issueServiceIdentity(pki);
const card = issueCard(pki, { kvnr: 'X110540756', ik: '109500969' });
const keys = { kenc: fromHex('46D2144F05816D6536E0A12C9B228C1F'), kmac: fromHex('BD277897FCF15013372E2E31FC7BA389') };

/** Runs f and returns the CardError code, failing the test on success or on any other exception. */
function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof CardError) return e.code;
    throw e;
  }
  throw new Error('expected a CardError');
}

describe('CVCs: truncation, corruption, unknown curves', () => {
  const raw = service.cvc.raw;

  it('every truncation of a CVC is a CVC_* error', () => {
    for (let n = 0; n < raw.length; n++) expect(codeOf(() => parseCvc(raw.slice(0, n)))).toMatch(/^CVC_/);
    for (let n = 0; n < service.cvc.bodyAndSignature.length; n++) {
      expect(codeOf(() => parseCvcContent(service.cvc.bodyAndSignature.slice(0, n)))).toMatch(/^CVC_/);
    }
  });

  it('trailing bytes, wrong CPI, odd CAR, bad dates, unknown point length', () => {
    expect(codeOf(() => parseCvc(concat(raw, Uint8Array.of(0))))).toBe('CVC_MALFORMED');
    const fields = { ...service.cvc };
    const body = encodeCvcBody(fields);
    const cpi = body.slice();
    cpi[body.indexOf(0x70, 3)] = 0x71;
    expect(codeOf(() => parseCvc(assembleCvc(cpi, service.cvc.signature)))).toBe('CVC_CPI_UNSUPPORTED');
    expect(codeOf(() => encodeCvcBody({ ...fields, car: fromHex('0102') }))).toBe('PKI_INVALID_REQUEST');
    const date = body.slice();
    const ced = body.length - 16; // 5F25 06 <6> 5F24 06 <6>
    date[ced + 3] = 0x01;
    date[ced + 4] = 0x03; // month 13
    expect(codeOf(() => parseCvc(assembleCvc(date, service.cvc.signature)))).toBe('CVC_DATE_INVALID');
    const point67 = concat(Uint8Array.of(4), new Uint8Array(66));
    expect(codeOf(() => encodeCvcBody({ ...fields, publicKey: { usageOid: fields.publicKey.usageOid, point: point67 } }))).toBe('CURVE_UNSUPPORTED');
    const weird = encodeTlv(
      0x7f4e,
      encodeTlv(0x5f29, Uint8Array.of(0x70)),
      encodeTlv(0x42, fields.car),
      encodeTlv(0x7f49, encodeTlv(0x06, fromHex('2B2403050301')), encodeTlv(0x86, point67)),
      encodeTlv(0x5f20, fields.chr),
      encodeTlv(0x7f4c, encodeTlv(0x06, fromHex('2A8214004C048118')), encodeTlv(0x53, new Uint8Array(7))),
      encodeTlv(0x5f25, fromHex('020400020208')),
      encodeTlv(0x5f24, fromHex('020900020207')),
    );
    expect(codeOf(() => parseCvc(assembleCvc(weird, new Uint8Array(64))))).toBe('CURVE_UNSUPPORTED');
  });

  it('property: random bytes and random bit flips never crash the CVC parser', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 260 }), (b) => {
        expect(codeOf(() => parseCvc(b))).toMatch(/^(CVC_|CURVE_)/);
      }),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: raw.length - 1 }), fc.integer({ min: 0, max: 7 }), (pos, bit) => {
        const b = raw.slice();
        b[pos] ^= 1 << bit;
        try {
          parseCvc(b);
        } catch (e) {
          expect(e).toBeInstanceOf(CardError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('secure messaging: wrong MACs, padding errors, layout', () => {
  const ssc = (n: number) => concat(new Uint8Array(14), Uint8Array.of(n >> 8, n & 0xff));
  function response(dataDo: Uint8Array, sw: Uint8Array, sscN: number): Uint8Array {
    const swDo = encodeTlv(0x99, sw);
    const mac = aesCmac(nodeCardCrypto, keys.kmac, concat(ssc(sscN), pad80(concat(dataDo, swDo))), 8);
    return concat(dataDo, swDo, encodeTlv(0x8e, mac), sw);
  }
  function encrypted(plain: Uint8Array, sscN: number, indicator = 1): Uint8Array {
    const iv = nodeCardCrypto.aesEncryptBlock(keys.kenc, ssc(sscN));
    return encodeTlv(0x87, Uint8Array.of(indicator), nodeCardCrypto.aesCbcEncrypt(keys.kenc, iv, plain));
  }
  const fresh = () => new SecureMessaging(nodeCardCrypto, keys, 1n); // next response is SSC 2

  it('a well-formed protected response passes (control)', () => {
    expect(fresh().unwrapResponse(response(encrypted(pad80(fromHex('AABB')), 2), fromHex('9000'), 2)).data).toEqual(fromHex('AABB'));
  });

  it.each([
    ['padding without 80', () => encrypted(new Uint8Array(16).fill(0x41), 2), 'SM_PADDING_INVALID'],
    ['all-zero plaintext', () => encrypted(new Uint8Array(16), 2), 'SM_PADDING_INVALID'],
    ['padding indicator 02', () => encrypted(pad80(fromHex('AA')), 2, 2), 'SM_PADDING_INVALID'],
    ['cryptogram not whole blocks', () => encodeTlv(0x87, Uint8Array.of(1), new Uint8Array(15)), 'SM_PADDING_INVALID'],
  ])('%s → %s', (_n, make, code) => {
    const sm = fresh();
    expect(codeOf(() => sm.unwrapResponse(response(make(), fromHex('9000'), 2)))).toBe(code);
    expect(sm.isClosed).toBe(true);
  });

  it('wrong MAC, wrong SSC, missing DOs, extra DOs, empty 9000', () => {
    const good = response(encodeTlv(0x81, fromHex('01')), fromHex('9000'), 2);
    const badMac = good.slice();
    badMac[badMac.length - 4] ^= 0x80;
    expect(codeOf(() => fresh().unwrapResponse(badMac))).toBe('SM_MAC_INVALID');
    expect(codeOf(() => new SecureMessaging(nodeCardCrypto, keys, 3n).unwrapResponse(good))).toBe('SM_MAC_INVALID');
    expect(codeOf(() => fresh().unwrapResponse(fromHex('990290009000')))).toBe('SM_MALFORMED');
    expect(codeOf(() => fresh().unwrapResponse(concat(good.slice(0, -2), fromHex('8101009000'))))).toBe('SM_MALFORMED');
    expect(codeOf(() => fresh().unwrapResponse(fromHex('9000')))).toBe('SM_MALFORMED');
    expect(codeOf(() => fresh().unwrapResponse(fromHex('8E')))).toBe('RESPONSE_MALFORMED');
    expect(codeOf(() => fresh().unwrapResponse(fromHex('87FF009000')))).toBe('SM_MALFORMED');
    const plainError = fresh().unwrapResponse(fromHex('6988'));
    expect([plainError.sw, plainError.authenticated]).toEqual([0x6988, false]);
  });

  it('card side: commands without MAC, with a wrong MAC or plain CLA are refused', () => {
    const service = new SecureMessaging(nodeCardCrypto, keys);
    const cmd = service.wrapCommand({ cla: 0, ins: 0xb0, p1: 0x84, p2: 0, data: new Uint8Array(0), ne: 65536 });
    const bad = cmd.slice();
    bad[bad.length - 3] ^= 1;
    expect(codeOf(() => new SecureMessaging(nodeCardCrypto, keys).unwrapCommand(bad))).toBe('SM_MAC_INVALID');
    expect(codeOf(() => new SecureMessaging(nodeCardCrypto, keys).unwrapCommand(fromHex('00B0840000')))).toBe('SM_MALFORMED');
    expect(codeOf(() => new SecureMessaging(nodeCardCrypto, keys).unwrapCommand(fromHex('0CB0840003970100')))).toBe('SM_MALFORMED');
    expect(codeOf(() => new SecureMessaging(nodeCardCrypto, keys).unwrapCommand(fromHex('0CB084')))).toBe('SM_MALFORMED');
  });

  it('padding helpers are strict', () => {
    expect(unpad80(pad80(new Uint8Array(16)))).toEqual(new Uint8Array(16));
    for (const hex of ['', '00', '80'.padEnd(34, '0'), '41'.repeat(16), '00'.repeat(16)]) expect(codeOf(() => unpad80(fromHex(hex)))).toBe('SM_PADDING_INVALID');
    expect(codeOf(() => new SecureMessaging(nodeCardCrypto, { kenc: new Uint8Array(8), kmac: keys.kmac }))).toBe('KEY_INVALID');
  });

  it('property: random responses never crash the unwrapper', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        try {
          fresh().unwrapResponse(b);
        } catch (e) {
          expect(e).toBeInstanceOf(CardError);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('CH.AUT and response parsers', () => {
  it('truncated or trailing DER is CHAUT_MALFORMED', () => {
    for (const n of [0, 1, 10, 100, card.chAut.length - 1]) expect(codeOf(() => parseChAut(card.chAut.slice(0, n)))).toBe('CHAUT_MALFORMED');
    expect(codeOf(() => parseChAut(concat(card.chAut, Uint8Array.of(0))))).toBe('CHAUT_MALFORMED');
    expect(codeOf(() => parseChAut(fromHex('300100')))).toBe('CHAUT_MALFORMED');
  });

  it('a subject without KVNR, without IK, or with two KVNRs is refused', () => {
    const make = (ous: string[]) =>
      issueX509(nodeCardCrypto, {
        subject: [{ type: 'C', value: 'DE' }, ...ous.map((v) => ({ type: 'OU' as const, value: v })), { type: 'CN', value: 'x' }],
        subjectKey: { curve: 'brainpoolP256r1', publicKey: pki.egkCa.key.publicKey },
        issuer: [{ type: 'CN', value: 'ca' }],
        issuerKey: pki.egkCa.key,
        notBefore: new Date(),
        notAfter: new Date(),
        serial: Uint8Array.of(5),
        ca: false,
      });
    expect(codeOf(() => parseChAut(make(['109500969'])))).toBe('CHAUT_KVNR_MISSING');
    expect(codeOf(() => parseChAut(make(['X110540756'])))).toBe('CHAUT_IK_MISSING');
    expect(codeOf(() => parseChAut(make(['X110540756', 'Y110540756', '109500969'])))).toBe('CHAUT_MALFORMED');
    const r = parseChAut(make(['X110540756', 'Versicherte', '109500969']));
    expect([r.kvnr, r.ik]).toEqual(['X110540756', '109500969']);
  });

  it('LIST PUBLIC KEY and GA responses: malformed input is a typed error', () => {
    for (const hex of ['E0', 'E003010203', 'E1024F00', 'E0044F01D2', 'E008B6068301AA8301BB', 'E006B6048302AA']) {
      expect(codeOf(() => parseListPublicKey(fromHex(hex)))).toBe('LIST_PUBLIC_KEY_MALFORMED');
    }
    expect(parseListPublicKey(new Uint8Array(0))).toEqual([]);
    expect(codeOf(() => parseGa1Response(nodeCardCrypto, fromHex('7C03850104')))).toBe('CURVE_UNSUPPORTED');
    expect(codeOf(() => parseGa1Response(nodeCardCrypto, fromHex('7C0386')))).toBe('GA_MALFORMED');
    const off = concat(Uint8Array.of(4), new Uint8Array(64).fill(1));
    expect(codeOf(() => parseGa1Response(nodeCardCrypto, encodeTlv(0x7c, encodeTlv(0x85, off))))).toBe('POINT_INVALID');
  });

  it('ECDSA DER conversion round-trips and refuses garbage', () => {
    const rs = concat(new Uint8Array(31), Uint8Array.of(1), Uint8Array.of(0x80), new Uint8Array(31).fill(2));
    expect(derToPlainSignature(plainToDerSignature(rs), 32)).toEqual(rs);
    for (const hex of ['', '3000', '30030201', '3006020101020180', '300602010102010100']) expect(codeOf(() => derToPlainSignature(fromHex(hex), 32))).toBe('KEY_INVALID');
  });
});
