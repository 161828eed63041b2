import { CardError } from '../apdu/errors';

export function concat(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

export function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Comparison whose time does not depend on where the first difference is (MACs). */
export function constantTimeEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

/** Copy of `bytes[start, end)`; throws instead of silently clamping like `subarray`. */
export function slice(bytes: Uint8Array, start: number, end: number = bytes.length): Uint8Array {
  if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start || end > bytes.length) {
    throw new CardError('BYTES_RANGE', 'byte range out of bounds', { details: { start, end, length: bytes.length } });
  }
  return bytes.slice(start, end);
}

export function u16be(n: number): Uint8Array {
  return new Uint8Array([(n >> 8) & 0xff, n & 0xff]);
}

export function readU16be(bytes: Uint8Array, offset: number): number {
  if (offset < 0 || offset + 2 > bytes.length) {
    throw new CardError('BYTES_RANGE', 'u16 read out of bounds', { details: { offset, length: bytes.length } });
  }
  return (bytes[offset] << 8) | bytes[offset + 1];
}

/** Big-endian unsigned integer of `len` bytes (left-padded, or an error when it does not fit). */
export function bigintToBytes(n: bigint, len: number): Uint8Array {
  if (n < 0n) throw new CardError('BYTES_RANGE', 'negative integer');
  const out = new Uint8Array(len);
  let v = n;
  for (let i = len - 1; i >= 0; i--) {
    out[i] = Number(v & 0xffn);
    v >>= 8n;
  }
  if (v !== 0n) throw new CardError('BYTES_RANGE', 'integer does not fit', { details: { len } });
  return out;
}

export function bytesToBigint(bytes: Uint8Array): bigint {
  let v = 0n;
  for (const b of bytes) v = (v << 8n) | BigInt(b);
  return v;
}

/** Left-pads with zero bytes to `len`; refuses longer input with non-zero excess. */
export function leftPad(bytes: Uint8Array, len: number): Uint8Array {
  if (bytes.length === len) return bytes;
  if (bytes.length > len) {
    const excess = bytes.length - len;
    for (let i = 0; i < excess; i++) {
      if (bytes[i] !== 0) throw new CardError('BYTES_RANGE', 'value longer than field', { details: { len } });
    }
    return bytes.slice(excess);
  }
  const out = new Uint8Array(len);
  out.set(bytes, len - bytes.length);
  return out;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder('latin1');

export function ascii(s: string): Uint8Array {
  return encoder.encode(s);
}

/** Latin-1 view, for CAR/CHR prefixes that are mostly ASCII. */
export function latin1(bytes: Uint8Array): string {
  return decoder.decode(bytes);
}
