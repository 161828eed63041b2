import { parseCommand } from '../apdu/command';
import { ReaderError } from './errors';
import { LEVEL_BEGIN, LEVEL_BEGIN_AND_END, LEVEL_CONTINUE, LEVEL_END } from './messages';

/**
 * APDU-level exchange with CCID readers (CCID Rev 1.1 §6.1.4): a command
 * longer than one XfrBlock travels as a chain whose wLevelParameter says
 * begin / continue / end; the reader answers each link but the last with an
 * empty DataBlock.
 */
export interface XfrLink {
  data: Uint8Array;
  levelParameter: number;
}

export function splitCommandForXfr(apdu: Uint8Array, maxChunk: number): XfrLink[] {
  if (!Number.isInteger(maxChunk) || maxChunk < 1) throw new RangeError(`chunk size ${maxChunk}`);
  if (apdu.length <= maxChunk) return [{ data: apdu, levelParameter: LEVEL_BEGIN_AND_END }];
  const links: XfrLink[] = [];
  for (let o = 0; o < apdu.length; o += maxChunk) {
    const end = Math.min(o + maxChunk, apdu.length);
    const levelParameter = o === 0 ? LEVEL_BEGIN : end === apdu.length ? LEVEL_END : LEVEL_CONTINUE;
    links.push({ data: apdu.subarray(o, end), levelParameter });
  }
  return links;
}

export interface CommandShape {
  extended: boolean;
  /** Expected response length Ne (undefined without Le), data + SW1 SW2 is at most Ne + 2. */
  ne?: number;
}

/** ISO 7816-4 shape of a command, as the reader layer needs it; malformed input is a ReaderError. */
export function commandShape(apdu: Uint8Array): CommandShape {
  try {
    const c = parseCommand(apdu);
    return { extended: c.extended, ne: c.ne };
  } catch (e) {
    throw new ReaderError('APDU_MALFORMED', 'command APDU is not well-formed', {
      cause: e,
      details: { length: apdu.length },
    });
  }
}
