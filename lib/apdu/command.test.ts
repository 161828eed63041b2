import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes/hex';
import { type CommandApdu, command, encodeCommand, isChained, isSecureMessaging, parseCommand } from './command';
import { CardError } from './errors';
import { encodeResponse, parseResponse } from './response';
import { describeSw, swName } from './status-words';

const enc = (c: CommandApdu, extended?: boolean) => toHex(encodeCommand(c, { extended }));

describe('command APDU encoding (ISO 7816-4 cases)', () => {
  it('case 1', () => expect(enc(command(0, 0xa4, 4, 0x0c))).toBe('00A4040C'));
  it('case 2 short, Ne 256 → Le 00', () => {
    expect(enc(command(0, 0xb0, 0x91, 0, undefined, 256))).toBe('00B0910000');
    expect(enc(command(0, 0xb0, 0x91, 0, undefined, 5))).toBe('00B0910005');
  });
  it('case 2 extended, Ne 65536 → 00 0000', () => {
    expect(enc(command(0x80, 0xca, 1, 0, undefined, 65536))).toBe('80CA0100000000');
    expect(enc(command(0x80, 0xca, 1, 0, undefined, 5), true)).toBe('80CA0100000005');
    expect(enc(command(0, 0xb0, 0, 0, undefined, 257))).toBe('00B00000000101');
  });
  it('case 3 short and extended', () => {
    expect(enc(command(0, 0x22, 0x41, 0xa4, fromHex('840109800154')))).toBe('002241A406840109800154');
    expect(enc(command(0, 0x2a, 0, 0xbe, new Uint8Array(300)))).toMatch(/^002A00BE00012C0{600}$/);
  });
  it('case 4 short and extended', () => {
    expect(enc(command(0x10, 0x86, 0, 0, fromHex('7C00'), 256))).toBe('10860000027C0000');
    expect(enc(command(0x10, 0x86, 0, 0, fromHex('7C00'), 65536), true)).toBe('108600000000027C000000');
  });
  it('rejects out-of-range fields', () => {
    expect(() => encodeCommand(command(0x100, 0, 0, 0))).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
    expect(() => encodeCommand(command(0, 0, 0, 0, undefined, 0))).toThrow(expect.objectContaining({ code: 'APDU_LENGTH' }));
    expect(() => encodeCommand(command(0, 0, 0, 0, undefined, 65537))).toThrow(expect.objectContaining({ code: 'APDU_LENGTH' }));
    expect(() => encodeCommand(command(0, 0, 0, 0, new Uint8Array(65536)))).toThrow(expect.objectContaining({ code: 'APDU_LENGTH' }));
  });
});

describe('command APDU parsing', () => {
  it.each([
    ['00A4040C', 1, false, 0, undefined],
    ['00B0910000', 2, false, 0, 256],
    ['80CA0100000000', 2, true, 0, 65536],
    ['002241A406840109800154', 3, false, 6, undefined],
    ['10860000027C0000', 4, false, 2, 256],
    ['10860000000002' + '7C00' + '0000', 4, true, 2, 65536],
    ['00A4040C000002' + 'AABB', 3, true, 2, undefined],
  ])('%s → case %i', (hex, cse, ext, nc, ne) => {
    const p = parseCommand(fromHex(hex));
    expect(p.case).toBe(cse);
    expect(p.extended).toBe(ext);
    expect(p.data.length).toBe(nc);
    expect(p.ne).toBe(ne);
    expect(toHex(encodeCommand(p, { extended: p.extended }))).toBe(hex);
  });
  it.each(['', '00', '00A404', '00A4040C0201', '00A4040C00000201', '00A4040C00000000', '00A4040C0000', '00A4040C02AABB0000'])(
    'rejects malformed %j',
    (hex) => {
      expect(() => parseCommand(fromHex(hex))).toThrow(CardError);
    },
  );
  it('property: every encodable command parses back to itself', () => {
    fc.assert(
      fc.property(
        fc.record({
          cla: fc.integer({ min: 0, max: 255 }),
          ins: fc.integer({ min: 0, max: 255 }),
          p1: fc.integer({ min: 0, max: 255 }),
          p2: fc.integer({ min: 0, max: 255 }),
          data: fc.uint8Array({ maxLength: 400 }),
          ne: fc.option(fc.integer({ min: 1, max: 65536 }), { nil: undefined }),
          extended: fc.boolean(),
        }),
        (c) => {
          const bytes = encodeCommand(c, { extended: c.extended });
          const p = parseCommand(bytes);
          expect(toHex(p.data)).toBe(toHex(c.data));
          expect(p.ne).toBe(c.ne);
          expect([p.cla, p.ins, p.p1, p.p2]).toEqual([c.cla, c.ins, c.p1, c.p2]);
        },
      ),
      { numRuns: 2000 },
    );
  });
  it('property: random bytes never crash the parser', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
        try {
          parseCommand(b);
        } catch (e) {
          expect(e).toBeInstanceOf(CardError);
        }
      }),
      { numRuns: 3000 },
    );
  });
  it('CLA bits', () => {
    expect(isChained(0x10)).toBe(true);
    expect(isChained(0x00)).toBe(false);
    expect(isChained(0x90)).toBe(false);
    expect(isSecureMessaging(0x0c)).toBe(true);
    expect(isSecureMessaging(0x1c)).toBe(true);
    expect(isSecureMessaging(0x80)).toBe(false);
  });
});

describe('responses and status words', () => {
  it('parses data and SW', () => {
    const r = parseResponse(fromHex('01029000'));
    expect(toHex(r.data)).toBe('0102');
    expect(r.sw).toBe(0x9000);
    expect(toHex(encodeResponse(r.data, 0x6282))).toBe('01026282');
    expect(() => parseResponse(fromHex('90'))).toThrow(expect.objectContaining({ code: 'RESPONSE_MALFORMED' }));
  });
  it('names status words', () => {
    expect(swName(0x6a88)).toBe('KEY_NOT_FOUND');
    expect(swName(0x63c2)).toBe('WRONG_SECRET_WARNING_2');
    expect(describeSw(0x6b00)).toContain('OFFSET_TOO_BIG');
    expect(swName(0x1234)).toBe('UNKNOWN');
  });
});
