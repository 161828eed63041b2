/**
 * A strict, minimal DER reader and writer for the OCSP and CMS structures the trust layer
 * verifies. Reading keeps the exact bytes of every element, because signatures cover bytes,
 * not re-encodings; any length that runs past its parent is an error, never truncated data.
 */

export class DerError extends Error {}

export interface Tlv {
  /** Identifier octet (single-byte tags only: all the structures here use tags < 31). */
  tag: number;
  cls: 'universal' | 'application' | 'context' | 'private';
  constructed: boolean;
  tagNumber: number;
  /** The whole element, header included. */
  raw: Uint8Array;
  /** The contents octets. */
  value: Uint8Array;
}

const CLASSES = ['universal', 'application', 'context', 'private'] as const;

export function readTlv(buf: Uint8Array, offset = 0): { tlv: Tlv; next: number } {
  if (offset + 2 > buf.length) throw new DerError('truncated header');
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError('multi-byte tags are not supported');
  let len = buf[offset + 1]!;
  let p = offset + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4) throw new DerError('indefinite or oversized length');
    if (p + n > buf.length) throw new DerError('truncated length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + buf[p + i]!;
    if (len < 0x80 || (n > 1 && buf[p] === 0)) throw new DerError('non-minimal length');
    p += n;
  }
  if (p + len > buf.length) throw new DerError('length runs past the end');
  return {
    tlv: {
      tag,
      cls: CLASSES[tag >> 6]!,
      constructed: (tag & 0x20) !== 0,
      tagNumber: tag & 0x1f,
      raw: buf.subarray(offset, p + len),
      value: buf.subarray(p, p + len),
    },
    next: p + len,
  };
}

/** Exactly one element filling the whole buffer. */
export function readOne(buf: Uint8Array): Tlv {
  const { tlv, next } = readTlv(buf, 0);
  if (next !== buf.length) throw new DerError(`${buf.length - next} trailing bytes`);
  return tlv;
}

export function children(t: Tlv): Tlv[] {
  if (!t.constructed) throw new DerError('primitive element has no children');
  const out: Tlv[] = [];
  let p = 0;
  while (p < t.value.length) {
    const { tlv, next } = readTlv(t.value, p);
    out.push(tlv);
    p = next;
  }
  return out;
}

export function expectTag(t: Tlv | undefined, tag: number, what: string): Tlv {
  if (!t || t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, got ${t ? `0x${t.tag.toString(16)}` : 'nothing'}`);
  return t;
}

export function readOid(t: Tlv): string {
  expectTag(t, 0x06, 'OID');
  const v = t.value;
  if (v.length === 0) throw new DerError('empty OID');
  const parts: number[] = [];
  let acc = 0;
  for (let i = 0; i < v.length; i++) {
    acc = acc * 128 + (v[i]! & 0x7f);
    if ((v[i]! & 0x80) === 0) {
      parts.push(acc);
      acc = 0;
    }
  }
  const first = parts.shift()!;
  const head = first < 40 ? [0, first] : first < 80 ? [1, first - 40] : [2, first - 80];
  return [...head, ...parts].join('.');
}

export function readTime(t: Tlv): Date {
  const s = Buffer.from(t.value).toString('latin1');
  let m: RegExpExecArray | null;
  if (t.tag === 0x18 && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d{1,3})?Z$/.exec(s))) {
    const ms = m[7] ? Number(m[7].slice(1).padEnd(3, '0')) : 0;
    return new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!, ms));
  }
  if (t.tag === 0x17 && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s))) {
    const yy = +m[1]!;
    return new Date(Date.UTC(yy < 50 ? 2000 + yy : 1900 + yy, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!));
  }
  throw new DerError(`not a DER time: ${s}`);
}

export function readInteger(t: Tlv): bigint {
  expectTag(t, 0x02, 'INTEGER');
  if (t.value.length === 0) throw new DerError('empty INTEGER');
  let v = 0n;
  for (const b of t.value) v = (v << 8n) | BigInt(b);
  if (t.value[0]! & 0x80) v -= 1n << BigInt(t.value.length * 8);
  return v;
}

// --- writing ---------------------------------------------------------------------------------

function lengthBytes(n: number): number[] {
  if (n < 0x80) return [n];
  const out: number[] = [];
  while (n > 0) {
    out.unshift(n & 0xff);
    n = Math.floor(n / 256);
  }
  return [0x80 | out.length, ...out];
}

export function tlv(tag: number, ...parts: Uint8Array[]): Uint8Array {
  const body = Buffer.concat(parts);
  return new Uint8Array(Buffer.concat([Uint8Array.from([tag, ...lengthBytes(body.length)]), body]));
}

export const seq = (...parts: Uint8Array[]) => tlv(0x30, ...parts);
export const set = (...parts: Uint8Array[]) => tlv(0x31, ...parts);
export const octets = (b: Uint8Array) => tlv(0x04, b);
export const nullDer = () => Uint8Array.of(0x05, 0x00);
export const bitString = (b: Uint8Array) => tlv(0x03, Uint8Array.of(0), b);
/** [n] EXPLICIT: constructed context tag around one element. */
export const explicit = (n: number, inner: Uint8Array) => tlv(0xa0 | n, inner);

export function integer(bytes: Uint8Array | number): Uint8Array {
  let b: Uint8Array = bytes as Uint8Array;
  if (typeof bytes === 'number') {
    const hex = bytes.toString(16);
    b = new Uint8Array(Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex'));
  }
  while (b.length > 1 && b[0] === 0 && (b[1]! & 0x80) === 0) b = b.subarray(1);
  if (b[0]! & 0x80) b = Uint8Array.from([0, ...b]);
  return tlv(0x02, b);
}

export function oid(s: string): Uint8Array {
  const p = s.split('.').map(Number);
  const out: number[] = [p[0]! * 40 + p[1]!];
  for (const n of p.slice(2)) {
    const stack = [n & 0x7f];
    let v = Math.floor(n / 128);
    while (v > 0) {
      stack.unshift((v & 0x7f) | 0x80);
      v = Math.floor(v / 128);
    }
    out.push(...stack);
  }
  return tlv(0x06, Uint8Array.from(out));
}

export function generalizedTime(d: Date): Uint8Array {
  const s = d.toISOString().replace(/\.\d{3}Z$/, 'Z').replace(/[-:T]/g, '');
  return tlv(0x18, Buffer.from(s, 'latin1'));
}

export function utcTime(d: Date): Uint8Array {
  const s = d.toISOString().slice(2).replace(/\.\d{3}Z$/, 'Z').replace(/[-:T]/g, '');
  return tlv(0x17, Buffer.from(s, 'latin1'));
}
