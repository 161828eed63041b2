import { CardError } from '../apdu/errors';

const HEX = '0123456789ABCDEF';

/** Upper-case hex, the form gematik's traces and card images use. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i++) s += HEX[bytes[i] >> 4] + HEX[bytes[i] & 15];
  return s;
}

/**
 * Strict hex decoding: even length, hex digits only (either case); whitespace is
 * accepted because card images and specs wrap long values.
 */
export function fromHex(hex: string): Uint8Array {
  const s = hex.replace(/\s+/g, '');
  if (s.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(s)) {
    throw new CardError('HEX_INVALID', 'invalid hex string', { details: { length: s.length } });
  }
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.substr(i * 2, 2), 16);
  return out;
}
