import { CardError } from '../apdu/errors';
import type { CardCrypto } from './port';

/** Doubling in GF(2^128) for the CMAC subkeys (NIST SP 800-38B §6.1). */
function dbl(block: Uint8Array): Uint8Array {
  const out = new Uint8Array(16);
  let carry = 0;
  for (let i = 15; i >= 0; i--) {
    const b = block[i];
    out[i] = ((b << 1) | carry) & 0xff;
    carry = b >> 7;
  }
  if (carry) out[15] ^= 0x87;
  return out;
}

/** AES-CMAC (NIST SP 800-38B) over the port's AES; `length` truncates (SM uses 8). */
export function aesCmac(crypto: CardCrypto, key: Uint8Array, message: Uint8Array, length = 16): Uint8Array {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new CardError('KEY_INVALID', 'AES key must be 16, 24 or 32 bytes', { details: { length: key.length } });
  }
  const l = crypto.aesEncryptBlock(key, new Uint8Array(16));
  const k1 = dbl(l);
  const n = Math.max(1, Math.ceil(message.length / 16));
  const complete = message.length > 0 && message.length % 16 === 0;
  const last = new Uint8Array(16);
  const tail = message.subarray((n - 1) * 16);
  last.set(tail);
  if (complete) {
    for (let i = 0; i < 16; i++) last[i] ^= k1[i];
  } else {
    last[tail.length] = 0x80;
    const k2 = dbl(k1);
    for (let i = 0; i < 16; i++) last[i] ^= k2[i];
  }
  const all = new Uint8Array(n * 16);
  all.set(message.subarray(0, (n - 1) * 16));
  all.set(last, (n - 1) * 16);
  const cbc = crypto.aesCbcEncrypt(key, new Uint8Array(16), all);
  return cbc.slice(cbc.length - 16, cbc.length - 16 + length);
}
