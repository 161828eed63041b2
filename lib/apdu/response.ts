import { concat } from '../bytes/bytes';
import { CardError } from './errors';

export interface ResponseApdu {
  data: Uint8Array;
  /** SW1 SW2 as one number, e.g. 0x9000. */
  sw: number;
}

export function parseResponse(bytes: Uint8Array): ResponseApdu {
  if (bytes.length < 2) {
    throw new CardError('RESPONSE_MALFORMED', 'response APDU shorter than 2 bytes', { details: { length: bytes.length } });
  }
  const n = bytes.length;
  return { data: bytes.slice(0, n - 2), sw: (bytes[n - 2] << 8) | bytes[n - 1] };
}

export function encodeResponse(data: Uint8Array, sw: number): Uint8Array {
  if (!Number.isInteger(sw) || sw < 0 || sw > 0xffff) {
    throw new CardError('RESPONSE_MALFORMED', 'status word out of range', { details: { sw } });
  }
  return concat(data, new Uint8Array([sw >> 8, sw & 0xff]));
}

export function swOnly(sw: number): Uint8Array {
  return encodeResponse(new Uint8Array(0), sw);
}

export function swHex(sw: number): string {
  return sw.toString(16).toUpperCase().padStart(4, '0');
}
