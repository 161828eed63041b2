import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes/hex';
import { commandShape, splitCommandForXfr } from './apdu-chaining';

describe('splitCommandForXfr', () => {
  it('one link when it fits (wLevelParameter 0000)', () => {
    expect(splitCommandForXfr(fromHex('00A4040C'), 261)).toEqual([{ data: fromHex('00A4040C'), levelParameter: 0 }]);
  });

  it('begin (0001), continue (0003), end (0002)', () => {
    const links = splitCommandForXfr(fromHex('00112233445566778899'), 4);
    expect(links.map((l) => [toHex(l.data), l.levelParameter])).toEqual([
      ['00112233', 1],
      ['44556677', 3],
      ['8899', 2],
    ]);
    expect(splitCommandForXfr(fromHex('0011223344556677'), 4).map((l) => l.levelParameter)).toEqual([1, 2]);
  });
});

describe('commandShape', () => {
  it('tells short from extended', () => {
    expect(commandShape(fromHex('00B0870000'))).toEqual({ extended: false, ne: 256 });
    expect(commandShape(fromHex('80CA0100000000'))).toEqual({ extended: true, ne: 65536 });
    expect(commandShape(fromHex('00A4040C'))).toEqual({ extended: false, ne: undefined });
  });

  it('malformed commands are a ReaderError', () => {
    expect(() => commandShape(fromHex('00A4'))).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED', layer: 'reader' }));
    expect(() => commandShape(fromHex('00A4040C05AA'))).toThrow(expect.objectContaining({ code: 'APDU_MALFORMED' }));
  });
});
