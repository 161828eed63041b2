import { describe, expect, it } from 'vitest';
import { isCardError } from '../apdu/errors';
import { bigintToBytes, bytesToBigint, concat, constantTimeEqual, equal, leftPad, readU16be, slice } from './bytes';
import { fromHex, toHex } from './hex';

describe('hex', () => {
  it('round-trips and upper-cases', () => {
    expect(toHex(fromHex('00a4040c'))).toBe('00A4040C');
    expect(toHex(fromHex(' 9000\n'))).toBe('9000');
    expect(toHex(new Uint8Array(0))).toBe('');
  });
  it.each(['0', 'zz', '0g', '123'])('rejects %j with HEX_INVALID', (s) => {
    try {
      fromHex(s);
      expect.unreachable();
    } catch (e) {
      expect(isCardError(e, 'HEX_INVALID')).toBe(true);
    }
  });
});

describe('bytes', () => {
  it('concat/equal/constantTimeEqual', () => {
    const a = concat(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3));
    expect([...a]).toEqual([1, 2, 3]);
    expect(equal(a, Uint8Array.of(1, 2, 3))).toBe(true);
    expect(equal(a, Uint8Array.of(1, 2))).toBe(false);
    expect(constantTimeEqual(a, Uint8Array.of(1, 2, 4))).toBe(false);
    expect(constantTimeEqual(a, Uint8Array.of(1, 2, 3))).toBe(true);
  });
  it('slice and readU16be refuse out-of-range instead of clamping', () => {
    expect(() => slice(Uint8Array.of(1, 2), 1, 3)).toThrow(expect.objectContaining({ code: 'BYTES_RANGE' }));
    expect(() => readU16be(Uint8Array.of(1), 0)).toThrow(expect.objectContaining({ code: 'BYTES_RANGE' }));
    expect(readU16be(Uint8Array.of(0x12, 0x34), 0)).toBe(0x1234);
  });
  it('bigint conversions keep leading zeros', () => {
    expect(toHex(bigintToBytes(1n, 4))).toBe('00000001');
    expect(bytesToBigint(fromHex('00ff'))).toBe(255n);
    expect(() => bigintToBytes(256n, 1)).toThrow(expect.objectContaining({ code: 'BYTES_RANGE' }));
    expect(toHex(leftPad(fromHex('01'), 3))).toBe('000001');
    expect(toHex(leftPad(fromHex('000001'), 2))).toBe('0001');
    expect(() => leftPad(fromHex('0100'), 1)).toThrow(expect.objectContaining({ code: 'BYTES_RANGE' }));
  });
});
