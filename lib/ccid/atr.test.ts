import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../bytes/hex';
import { offersT1, parseAtr } from './atr';
import { t1ParametersFromAtr } from './parameters';

describe('parseAtr', () => {
  it('eGK G2.1: T=1, IFSC 254, BWI 4, CWI 5, LRC (egk-and-readers.md §1.6)', () => {
    // TS 3B, T0 D3 (TA1 TC1 TD1, K=3), TA1 96, TC1 FF, TD1 81 (TD2, T=1), TD2 B1 (TA3 TB3 TD3, T=1),
    // TA3 FE, TB3 45, TD3 1F (TA4, T=15), TA4 07, historical 80 81 05, TCK 2D
    const atr = parseAtr(fromHex('3BD396FF81B1FE451F078081052D'));
    expect(atr.protocols).toEqual([1]);
    expect(atr.t1).toEqual({ ifsc: 254, bwi: 4, cwi: 5, edc: 'lrc' });
    expect(atr.ta1).toBe(0x96);
    expect(atr.tc1).toBe(0xff);
    expect(atr.specificMode).toBe(false);
    expect(toHex(atr.historical)).toBe('808105');
    expect(offersT1(atr)).toBe(true);
  });

  it('eGK TK variants without historical bytes', () => {
    expect(parseAtr(fromHex('3BD097FF81B1FE451F072B')).t1.ifsc).toBe(254);
    expect(parseAtr(fromHex('3BD096FF81B1FE451F072A')).ta1).toBe(0x96);
  });

  it('T=0 only: no TD1, no TCK', () => {
    const atr = parseAtr(fromHex('3B021450'));
    expect(atr.protocols).toEqual([0]);
    expect(offersT1(atr)).toBe(false);
    expect(toHex(atr.historical)).toBe('1450');
  });

  it('CRC from the first TC for T=1; defaults where absent', () => {
    // T0 80 (TD1), TD1 81 (TD2, T=1), TD2 41 (TC3, T=1), TC3 01, TCK 41
    const atr = parseAtr(fromHex('3B80814101' + '41'));
    expect(atr.t1).toEqual({ ifsc: 32, bwi: 4, cwi: 13, edc: 'crc' });
  });

  it('TA2 means specific mode', () => {
    // T0 90 (TA1 TD1), TA1 13, TD1 91 (TA2 TD2... only TA2, T=1) -> Y2 = 9: TA2 and TD2
    // keep it simple: TD1 = 11 -> TA2 present, T=1; TA2 = 01
    const body = [0x90, 0x13, 0x11, 0x01];
    const tck = body.reduce((a, b) => a ^ b, 0);
    const atr = parseAtr(new Uint8Array([0x3b, ...body, tck]));
    expect(atr.specificMode).toBe(true);
    expect(t1ParametersFromAtr(atr, { readerDoesPps: false }).findexDindex).toBe(0x13);
  });

  it('garbage is ATR_MALFORMED', () => {
    for (const bad of ['3C00', '3B', '3BD396FF81B1FE451F0780810520', '3BD396FF81', '3B80814101', '3B8081' + '11FF' + '6E', '3B021450AA']) {
      expect(() => parseAtr(fromHex(bad)), bad).toThrow(expect.objectContaining({ code: 'ATR_MALFORMED' }));
    }
    expect(() => parseAtr(new Uint8Array(34).fill(0x3b))).toThrow(expect.objectContaining({ code: 'ATR_MALFORMED' }));
  });
});

describe('t1ParametersFromAtr', () => {
  const egk = parseAtr(fromHex('3BD396FF81B1FE451F078081052D'));

  it('keeps Fd/Dd when nobody negotiates (negotiable mode, no PPS)', () => {
    expect(t1ParametersFromAtr(egk, { readerDoesPps: false })).toEqual({
      findexDindex: 0x11,
      useCrc: false,
      inverseConvention: false,
      guardTime: 0xff,
      waitingIntegers: 0x45,
      clockStop: 0,
      ifsc: 0xfe,
      nad: 0,
    });
  });

  it('uses TA1 when the reader does the PPS', () => {
    expect(t1ParametersFromAtr(egk, { readerDoesPps: true }).findexDindex).toBe(0x96);
  });
});
