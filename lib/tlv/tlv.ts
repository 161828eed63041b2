import { CardError } from '../apdu/errors';
import { concat } from '../bytes/bytes';

/** One BER-TLV data object as found in a buffer. Values are copies, never views. */
export interface Tlv {
  /** Tag bytes as a big-endian number, e.g. 0x7F21, 0x5F37, 0x86. */
  tag: number;
  constructed: boolean;
  value: Uint8Array;
  /** The whole encoding (tag ‖ length ‖ value), e.g. for signing a CVC body. */
  raw: Uint8Array;
  /** Where the object started in the parsed buffer. */
  offset: number;
  /** Offset just past the object. */
  end: number;
}

/** Up to 3 tag bytes and 4 length bytes cover everything a G2 card or CVC uses. */
const MAX_TAG_BYTES = 3;
const MAX_LENGTH_BYTES = 4;

function fail(code: 'TLV_TRUNCATED' | 'TLV_LENGTH_INVALID' | 'TLV_TAG_INVALID', message: string, offset: number): never {
  throw new CardError(code, message, { details: { offset } });
}

/** Reads one TLV at `offset`, checking every length against the buffer. */
export function readTlv(bytes: Uint8Array, offset = 0): Tlv {
  let p = offset;
  if (p >= bytes.length) fail('TLV_TRUNCATED', 'TLV: no tag byte', p);
  const first = bytes[p++];
  let tag = first;
  if ((first & 0x1f) === 0x1f) {
    let n = 1;
    for (;;) {
      if (p >= bytes.length) fail('TLV_TRUNCATED', 'TLV: tag truncated', offset);
      const b = bytes[p++];
      tag = tag * 256 + b;
      n++;
      if (n > MAX_TAG_BYTES) fail('TLV_TAG_INVALID', 'TLV: tag too long', offset);
      if ((b & 0x80) === 0) break;
    }
  }
  if (p >= bytes.length) fail('TLV_TRUNCATED', 'TLV: length missing', offset);
  const l0 = bytes[p++];
  let length: number;
  if (l0 < 0x80) {
    length = l0;
  } else {
    const n = l0 & 0x7f;
    // 0x80 would be BER's indefinite form, which neither ISO 7816 nor CVCs allow.
    if (n === 0 || n > MAX_LENGTH_BYTES) fail('TLV_LENGTH_INVALID', 'TLV: unsupported length form', offset);
    if (p + n > bytes.length) fail('TLV_TRUNCATED', 'TLV: length truncated', offset);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + bytes[p++];
  }
  const end = p + length;
  if (end > bytes.length) {
    throw new CardError('TLV_TRUNCATED', 'TLV: value runs past the buffer', {
      details: { offset, length, available: bytes.length - p },
    });
  }
  return {
    tag,
    constructed: (first & 0x20) !== 0,
    value: bytes.slice(p, end),
    raw: bytes.slice(offset, end),
    offset,
    end,
  };
}

/** Parses a buffer that must consist of TLVs only, end to end. */
export function parseTlvs(bytes: Uint8Array): Tlv[] {
  const out: Tlv[] = [];
  let p = 0;
  while (p < bytes.length) {
    const t = readTlv(bytes, p);
    out.push(t);
    p = t.end;
  }
  return out;
}

/** Parses exactly one TLV spanning the whole buffer, optionally of a given tag. */
export function parseSingleTlv(bytes: Uint8Array, expectedTag?: number): Tlv {
  const t = readTlv(bytes, 0);
  if (expectedTag !== undefined && t.tag !== expectedTag) {
    throw new CardError('TLV_UNEXPECTED_TAG', `TLV: expected tag ${expectedTag.toString(16)}`, {
      details: { expected: expectedTag.toString(16), actual: t.tag.toString(16) },
    });
  }
  if (t.end !== bytes.length) {
    throw new CardError('TLV_TRAILING_BYTES', 'TLV: trailing bytes after object', {
      details: { end: t.end, length: bytes.length },
    });
  }
  return t;
}

export function findTlv(list: Tlv[], tag: number): Tlv | undefined {
  return list.find((t) => t.tag === tag);
}

/** The one TLV with `tag` in `list`; missing or repeated is an error. */
export function requireTlv(list: Tlv[], tag: number, context: string): Tlv {
  const found = list.filter((t) => t.tag === tag);
  if (found.length !== 1) {
    throw new CardError('TLV_UNEXPECTED_TAG', `${context}: expected exactly one tag ${tag.toString(16)}`, {
      details: { tag: tag.toString(16), count: found.length },
    });
  }
  return found[0];
}

export function tagBytes(tag: number): Uint8Array {
  if (!Number.isInteger(tag) || tag < 0 || tag > 0xffffff) {
    throw new CardError('TLV_TAG_INVALID', 'TLV: tag out of range', { details: { tag } });
  }
  if (tag <= 0xff) return new Uint8Array([tag]);
  if (tag <= 0xffff) return new Uint8Array([tag >> 8, tag & 0xff]);
  return new Uint8Array([tag >> 16, (tag >> 8) & 0xff, tag & 0xff]);
}

/** DER (minimal) length encoding. */
export function encodeLength(n: number): Uint8Array {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
    throw new CardError('TLV_LENGTH_INVALID', 'TLV: length out of range', { details: { n } });
  }
  if (n < 0x80) return new Uint8Array([n]);
  if (n <= 0xff) return new Uint8Array([0x81, n]);
  if (n <= 0xffff) return new Uint8Array([0x82, n >> 8, n & 0xff]);
  if (n <= 0xffffff) return new Uint8Array([0x83, n >> 16, (n >> 8) & 0xff, n & 0xff]);
  return new Uint8Array([0x84, (n >>> 24) & 0xff, (n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff]);
}

export function encodeTlv(tag: number, ...values: Uint8Array[]): Uint8Array {
  const value = values.length === 1 ? values[0] : concat(...values);
  return concat(tagBytes(tag), encodeLength(value.length), value);
}
