/** USB and CCID put multi-byte fields little-endian; lib/bytes only has big-endian helpers. */
export function readU16le(b: Uint8Array, offset: number): number {
  return b[offset] | (b[offset + 1] << 8);
}

export function readU32le(b: Uint8Array, offset: number): number {
  return (b[offset] | (b[offset + 1] << 8) | (b[offset + 2] << 16)) + b[offset + 3] * 0x1000000;
}

export function writeU16le(b: Uint8Array, offset: number, v: number): void {
  b[offset] = v & 0xff;
  b[offset + 1] = (v >>> 8) & 0xff;
}

export function writeU32le(b: Uint8Array, offset: number, v: number): void {
  b[offset] = v & 0xff;
  b[offset + 1] = (v >>> 8) & 0xff;
  b[offset + 2] = (v >>> 16) & 0xff;
  b[offset + 3] = (v >>> 24) & 0xff;
}
