/**
 * T=1 epilogue (ISO/IEC 7816-3 §11.4.4): LRC, one byte, XOR of every prologue
 * and information byte; or a two-byte CRC when the ATR's first TCi for T=1 has
 * bit 1 set.
 */
export type EdcKind = 'lrc' | 'crc';

export function edcLength(kind: EdcKind): number {
  return kind === 'crc' ? 2 : 1;
}

export function lrc(bytes: Uint8Array, end = bytes.length): number {
  let x = 0;
  for (let i = 0; i < end; i++) x ^= bytes[i];
  return x;
}

/**
 * CRC-16 with the ISO/IEC 13239 polynomial x^16 + x^12 + x^5 + 1, processed
 * LSB first (reflected 0x8408), register preset to FFFF, no final inversion,
 * high byte sent first. The ISO 7816-3 text was not available here; this is
 * the convention of the deployed host stacks (CCIDdrv src/openct/checksum.c),
 * which is what real CRC cards interoperate with. eGKs use LRC.
 */
export function crc16(bytes: Uint8Array, end = bytes.length): number {
  let v = 0xffff;
  for (let i = 0; i < end; i++) {
    v ^= bytes[i];
    for (let bit = 0; bit < 8; bit++) v = v & 1 ? (v >>> 1) ^ 0x8408 : v >>> 1;
  }
  return v;
}

/** The EDC bytes for `bytes[0, end)`. */
export function computeEdc(kind: EdcKind, bytes: Uint8Array, end = bytes.length): Uint8Array {
  if (kind === 'lrc') return new Uint8Array([lrc(bytes, end)]);
  const v = crc16(bytes, end);
  return new Uint8Array([(v >> 8) & 0xff, v & 0xff]);
}
