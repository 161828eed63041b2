import { CardError } from '../../../lib/apdu/errors';

/** ISO/IEC 9797-1 padding method 2: 80 then zeros to a multiple of 16 (always adds ≥ 1 byte). */
export function pad80(data: Uint8Array, block = 16): Uint8Array {
  const n = (Math.floor(data.length / block) + 1) * block;
  const out = new Uint8Array(n);
  out.set(data);
  out[data.length] = 0x80;
  return out;
}

/** Strict removal of method-2 padding; anything else is SM_PADDING_INVALID. */
export function unpad80(data: Uint8Array, block = 16): Uint8Array {
  if (data.length === 0 || data.length % block !== 0) {
    throw new CardError('SM_PADDING_INVALID', 'padded data is not a whole number of blocks', { details: { length: data.length } });
  }
  let i = data.length - 1;
  while (i >= 0 && data[i] === 0) i--;
  if (i < 0 || data[i] !== 0x80 || data.length - i > block) {
    throw new CardError('SM_PADDING_INVALID', 'padding is not 80 00..00');
  }
  return data.slice(0, i);
}
