import { ReaderError } from '../../lib/ccid/errors';

/**
 * T=0 leaves two answers to the application that T=1 never gives (ISO/IEC
 * 7816-3 §10.3.5, 7816-4 §5.3.4): 61xx "xx more bytes, fetch them with GET
 * RESPONSE", and 6Cxx "wrong Le, send the same command again with Le = xx".
 * PC/SC passes both through (egk-and-readers.md §5), so the bridge completes
 * them before the page sees a response.
 */
const INS_GET_RESPONSE = 0xc0;
/** Guard against a card that answers 61xx forever. */
const MAX_GET_RESPONSE = 256;

/** GET RESPONSE keeps the logical channel of the command and drops SM/chaining bits. */
export function getResponseCla(cla: number): number {
  if (cla & 0x80) return cla; // proprietary class: echo it (bClassGetResponse "echoes the APDU class")
  return cla & 0x40 ? cla & 0x4f : cla & 0x03;
}

/** Only a short command with Le (case 2S or 4S) can be repeated with a corrected Le. */
function hasShortLe(apdu: Uint8Array): boolean {
  if (apdu.length === 5) return true;
  return apdu.length > 5 && apdu[4] !== 0 && apdu.length === 6 + apdu[4];
}

export async function transmitWithT0Handling(
  raw: (apdu: Uint8Array) => Promise<Uint8Array>,
  apdu: Uint8Array,
  maxResponseLength = 65_538,
): Promise<Uint8Array> {
  let response = await raw(apdu);
  if (response.length < 2) throw new ReaderError('MESSAGE_MALFORMED', 'response without status word');
  if (response.length === 2 && response[0] === 0x6c && hasShortLe(apdu)) {
    const again = apdu.slice();
    again[again.length - 1] = response[1];
    response = await raw(again);
    if (response.length < 2) throw new ReaderError('MESSAGE_MALFORMED', 'response without status word');
  }
  if (response[response.length - 2] !== 0x61) return response;
  const parts: Uint8Array[] = [response.subarray(0, response.length - 2)];
  let total = parts[0].length;
  let sw = response.subarray(response.length - 2);
  for (let n = 0; sw[0] === 0x61; n++) {
    if (n >= MAX_GET_RESPONSE) throw new ReaderError('RESPONSE_TOO_LARGE', 'card keeps announcing more data (61xx)');
    const r = await raw(new Uint8Array([getResponseCla(apdu[0]), INS_GET_RESPONSE, 0x00, 0x00, sw[1]]));
    if (r.length < 2) throw new ReaderError('MESSAGE_MALFORMED', 'GET RESPONSE without status word');
    parts.push(r.subarray(0, r.length - 2));
    total += r.length - 2;
    if (total + 2 > maxResponseLength) throw new ReaderError('RESPONSE_TOO_LARGE', 'response longer than allowed', { details: { total } });
    sw = r.subarray(r.length - 2);
  }
  const out = new Uint8Array(total + 2);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  out.set(sw, o);
  return out;
}
