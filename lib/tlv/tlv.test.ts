import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CardError } from '../apdu/errors';
import { fromHex, toHex } from '../bytes/hex';
import { encodeLength, encodeTlv, parseSingleTlv, parseTlvs, readTlv, requireTlv } from './tlv';

describe('BER-TLV', () => {
  it('reads multi-byte tags and long lengths', () => {
    const t = readTlv(fromHex('7F2181030102035F37'.slice(0, 16)));
    expect(t.tag).toBe(0x7f21);
    expect(t.constructed).toBe(true);
    expect(toHex(t.value)).toBe('010203');
    expect(t.end).toBe(7);
    const u = readTlv(fromHex('5F2001AA'));
    expect(u.tag).toBe(0x5f20);
    expect(u.constructed).toBe(false);
  });
  it('parses a list and finds tags', () => {
    const list = parseTlvs(fromHex('8401098001 54'.replace(' ', '')));
    expect(list.map((t) => t.tag)).toEqual([0x84, 0x80]);
    expect(requireTlv(list, 0x80, 'x').value[0]).toBe(0x54);
    expect(() => requireTlv(list, 0x83, 'x')).toThrow(expect.objectContaining({ code: 'TLV_UNEXPECTED_TAG' }));
  });
  it('encodes minimal DER lengths', () => {
    expect(toHex(encodeLength(0x7f))).toBe('7F');
    expect(toHex(encodeLength(0x80))).toBe('8180');
    expect(toHex(encodeLength(0x100))).toBe('820100');
    expect(toHex(encodeLength(0x10000))).toBe('83010000');
    expect(toHex(encodeTlv(0x7c, encodeTlv(0xc3, fromHex('000A80276001011699902101'))))).toBe(
      '7C0EC30C000A80276001011699902101',
    );
  });
  it.each([
    ['', 'TLV_TRUNCATED'],
    ['5F', 'TLV_TRUNCATED'],
    ['5F20', 'TLV_TRUNCATED'],
    ['8105AA', 'TLV_TRUNCATED'],
    ['04820100AA', 'TLV_TRUNCATED'],
    ['0481', 'TLV_TRUNCATED'],
    ['0480', 'TLV_LENGTH_INVALID'],
    ['0485FFFFFFFFFF', 'TLV_LENGTH_INVALID'],
    ['1FFFFFFF0100', 'TLV_TAG_INVALID'],
    ['0484FFFFFFFF00', 'TLV_TRUNCATED'],
  ])('rejects %s with %s', (hex, code) => {
    expect(() => readTlv(fromHex(hex))).toThrow(expect.objectContaining({ code }));
  });
  it('single TLV: wrong tag and trailing bytes are errors', () => {
    expect(() => parseSingleTlv(fromHex('800100'), 0x81)).toThrow(expect.objectContaining({ code: 'TLV_UNEXPECTED_TAG' }));
    expect(() => parseSingleTlv(fromHex('80010000'))).toThrow(expect.objectContaining({ code: 'TLV_TRAILING_BYTES' }));
  });
  it('property: encode/parse round trip; random bytes either parse within bounds or give a CardError', () => {
    fc.assert(
      fc.property(fc.constantFrom(0x80, 0x5f20, 0x7f4e, 0x86), fc.uint8Array({ maxLength: 700 }), (tag, value) => {
        const enc = encodeTlv(tag, value);
        const t = parseSingleTlv(enc, tag);
        expect(toHex(t.value)).toBe(toHex(value));
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        try {
          for (const t of parseTlvs(bytes)) expect(t.end).toBeLessThanOrEqual(bytes.length);
        } catch (e) {
          expect(e).toBeInstanceOf(CardError);
        }
      }),
      { numRuns: 3000 },
    );
  });
});
