/**
 * Vectors written from ISO/IEC 7816-3 §11.3 by hand: PCB layout
 * (I: 0 N(S) M 00000; R: 10 0 N(R) error; S: 11 request/response type),
 * NAD 00, LEN, LRC = XOR of all preceding bytes.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../bytes/hex';
import { decodeBlock, encodeBlock, iBlock, rBlock, sBlock } from './block';
import { crc16, lrc } from './edc';

const enc = (b: Parameters<typeof encodeBlock>[0]) => toHex(encodeBlock(b, 'lrc'));

describe('T=1 block encoding (LRC)', () => {
  it('I-blocks: N(S) in b7, M in b6', () => {
    expect(enc(iBlock(0, false, fromHex('00A4040C')))).toBe('000004' + '00A4040C' + 'A8');
    expect(enc(iBlock(1, false, fromHex('00A4040C')))).toBe('004004' + '00A4040C' + 'E8');
    expect(enc(iBlock(0, true, fromHex('00A4040C')))).toBe('002004' + '00A4040C' + '88');
    expect(enc(iBlock(1, true, fromHex('07D27600')))).toBe('006004' + '07D27600' + 'C7');
  });

  it('R-blocks: N(R) in b5, error code in b4..b1', () => {
    expect(enc(rBlock(0))).toBe('00800080');
    expect(enc(rBlock(1))).toBe('00900090');
    expect(enc(rBlock(0, 'edc'))).toBe('00810081');
    expect(enc(rBlock(0, 'other'))).toBe('00820082');
    expect(enc(rBlock(1, 'other'))).toBe('00920092');
  });

  it('S-blocks: request C0 | type, response E0 | type', () => {
    expect(enc(sBlock('resynch', false))).toBe('00C000C0');
    expect(enc(sBlock('resynch', true))).toBe('00E000E0');
    expect(enc(sBlock('ifs', false, new Uint8Array([0xfe])))).toBe('00C101FE3E');
    expect(enc(sBlock('ifs', true, new Uint8Array([0xfe])))).toBe('00E101FE1E');
    expect(enc(sBlock('abort', false))).toBe('00C200C2');
    expect(enc(sBlock('wtx', false, new Uint8Array([2])))).toBe('00C30102C0');
    expect(enc(sBlock('wtx', true, new Uint8Array([2])))).toBe('00E30102E0');
  });

  it('NAD is carried as given', () => {
    expect(enc({ ...rBlock(0), nad: 0x21 })).toBe('218000A1');
  });

  it('refuses an information field over 254 bytes', () => {
    expect(() => encodeBlock(iBlock(0, false, new Uint8Array(255)), 'lrc')).toThrow(RangeError);
  });
});

describe('T=1 block decoding', () => {
  it('reads each block kind back', () => {
    expect(decodeBlock(fromHex('0000029000' + '92'), 'lrc')).toEqual({
      ok: true,
      block: { kind: 'I', nad: 0, ns: 0, more: false, inf: fromHex('9000') },
    });
    expect(decodeBlock(fromHex('0020026162' + '21'), 'lrc')).toMatchObject({ ok: true, block: { kind: 'I', ns: 0, more: true } });
    expect(decodeBlock(fromHex('00920092'), 'lrc')).toMatchObject({ ok: true, block: { kind: 'R', nr: 1, error: 'other' } });
    expect(decodeBlock(fromHex('00C30102C0'), 'lrc')).toMatchObject({
      ok: true,
      block: { kind: 'S', type: 'wtx', response: false, inf: new Uint8Array([2]) },
    });
  });

  it('reports EDC errors as edc, framing errors as other', () => {
    expect(decodeBlock(fromHex('000002900093'), 'lrc')).toMatchObject({ ok: false, invalid: { error: 'edc' } });
    expect(decodeBlock(fromHex('0000FF'), 'lrc')).toMatchObject({ ok: false, invalid: { error: 'other' } });
    expect(decodeBlock(fromHex('00'), 'lrc')).toMatchObject({ ok: false, invalid: { error: 'other' } });
    // LEN 03 but only two INF bytes
    expect(decodeBlock(fromHex('00000390'), 'lrc')).toMatchObject({ ok: false, invalid: { error: 'other' } });
    // LEN FF is reserved
    expect(decodeBlock(fromHex('0000FF' + 'FF'), 'lrc')).toMatchObject({ ok: false, invalid: { error: 'other' } });
    // I-block with RFU bit b1 set
    expect(decodeBlock(fromHex('00010001'), 'lrc')).toMatchObject({ ok: false, invalid: { error: 'other' } });
    // R-block with b6 set, R-block with INF, reserved error code 3
    expect(decodeBlock(fromHex('00A000A0'), 'lrc')).toMatchObject({ ok: false });
    expect(decodeBlock(fromHex('0080010081'), 'lrc')).toMatchObject({ ok: false });
    expect(decodeBlock(fromHex('00830083'), 'lrc')).toMatchObject({ ok: false });
    // S(IFS) without its byte, S-block of reserved type 05
    expect(decodeBlock(fromHex('00C100C1'), 'lrc')).toMatchObject({ ok: false });
    expect(decodeBlock(fromHex('00C500C5'), 'lrc')).toMatchObject({ ok: false });
  });
});

describe('EDC', () => {
  it('LRC is the XOR of all bytes', () => {
    expect(lrc(fromHex('000004' + '00A4040C'))).toBe(0xa8);
    expect(lrc(new Uint8Array(0))).toBe(0);
  });

  it('CRC: reflected x^16+x^12+x^5+1, preset FFFF, no final XOR (catalogue check value of "123456789" = 6F91)', () => {
    expect(crc16(new TextEncoder().encode('123456789'))).toBe(0x6f91);
  });

  it('CRC blocks carry two EDC bytes, high byte first, and round-trip', () => {
    const bytes = encodeBlock(rBlock(0), 'crc');
    expect(bytes.length).toBe(5);
    const v = crc16(fromHex('008000'));
    expect(toHex(bytes)).toBe('008000' + v.toString(16).toUpperCase().padStart(4, '0'));
    expect(decodeBlock(bytes, 'crc')).toMatchObject({ ok: true, block: { kind: 'R', nr: 0 } });
    bytes[4] ^= 1;
    expect(decodeBlock(bytes, 'crc')).toMatchObject({ ok: false, invalid: { error: 'edc' } });
  });
});
