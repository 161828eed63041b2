import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../lib/bytes/hex';
import { getResponseCla, transmitWithT0Handling } from './t0-response';

/** A T=0 card as PC/SC shows it: answers are queued per expected command. */
function card(script: [string, string][]) {
  const sent: string[] = [];
  let i = 0;
  return {
    sent,
    raw: async (apdu: Uint8Array) => {
      sent.push(toHex(apdu));
      const [expectCmd, reply] = script[i++] ?? ['', ''];
      expect(toHex(apdu)).toBe(expectCmd);
      return fromHex(reply);
    },
  };
}

describe('T=0 response completion', () => {
  it('fetches 61xx with GET RESPONSE until 9000 and concatenates the data', async () => {
    const c = card([
      ['00A4040007D2760001448000', '6105'],
      ['00C0000005', '0102030405' + '6103'],
      ['00C0000003', '060708' + '9000'],
    ]);
    expect(toHex(await transmitWithT0Handling(c.raw, fromHex('00A4040007D2760001448000')))).toBe('0102030405060708' + '9000');
  });

  it('re-sends a 6Cxx command with the corrected Le', async () => {
    const c = card([
      ['00B0000000', '6C10'],
      ['00B0000010', '00112233445566778899AABBCCDDEEFF' + '9000'],
    ]);
    expect(toHex(await transmitWithT0Handling(c.raw, fromHex('00B0000000')))).toBe('00112233445566778899AABBCCDDEEFF9000');
  });

  it('leaves 6Cxx alone for commands without a short Le', async () => {
    const c = card([['00A4040C', '6C10']]);
    expect(toHex(await transmitWithT0Handling(c.raw, fromHex('00A4040C')))).toBe('6C10');
  });

  it('keeps the logical channel in GET RESPONSE, drops SM and chaining bits', () => {
    expect(getResponseCla(0x00)).toBe(0x00);
    expect(getResponseCla(0x0c)).toBe(0x00);
    expect(getResponseCla(0x13)).toBe(0x03);
    expect(getResponseCla(0x45)).toBe(0x45);
    expect(getResponseCla(0x80)).toBe(0x80);
  });

  it('stops a card that never finishes', async () => {
    const raw = async () => fromHex('61FF');
    await expect(transmitWithT0Handling(raw, fromHex('00CA000000'))).rejects.toMatchObject({ code: expect.stringMatching(/RESPONSE_TOO_LARGE/) });
    await expect(transmitWithT0Handling(async () => fromHex('90'), fromHex('00CA000000'))).rejects.toMatchObject({ code: 'MESSAGE_MALFORMED' });
  });
});
