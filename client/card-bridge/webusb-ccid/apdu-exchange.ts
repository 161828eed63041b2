import { commandShape, splitCommandForXfr } from '../../../lib/ccid/apdu-chaining';
import { CCID_HEADER_LENGTH, type InterfaceClassification } from '../../../lib/ccid/classify';
import { ReaderError } from '../../../lib/ccid/errors';
import { LEVEL_EMPTY_CONTINUE_RESPONSE } from '../../../lib/ccid/messages';
import { CHAIN_BEGIN, CHAIN_CONTINUE } from '../../../lib/ccid/responses';
import type { CcidSlot } from './ccid-slot';

/** Moves whole APDUs; what differs between APDU-level and TPDU-level readers stays behind this. */
export interface ApduExchange {
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
}

/** Continuation requests accepted for one response: 64 KiB in the smallest sensible pieces. */
const MAX_RESPONSE_LINKS = 1024;

/**
 * APDU-level readers (short or short+extended, CCID Rev 1.1 §6.1.4): the
 * reader runs the card protocol; the host only chains what does not fit one
 * message, both ways.
 */
export class ApduLevelExchange implements ApduExchange {
  constructor(
    private readonly slot: CcidSlot,
    private readonly c: InterfaceClassification,
    private readonly maxResponseLength: number,
  ) {}

  async transmit(apdu: Uint8Array): Promise<Uint8Array> {
    const shape = commandShape(apdu);
    if (shape.extended && this.c.exchangeLevel === 'short-apdu') {
      throw new ReaderError('EXTENDED_APDU_UNSUPPORTED', 'this reader carries short APDUs only', {
        details: { length: apdu.length },
      });
    }
    if (apdu.length > this.c.maxCommandApdu) {
      throw new ReaderError('APDU_TOO_LONG', 'command longer than the reader can carry', {
        details: { length: apdu.length, max: this.c.maxCommandApdu },
      });
    }
    const links =
      this.c.exchangeLevel === 'extended-apdu'
        ? splitCommandForXfr(apdu, this.c.maxMessageLength - CCID_HEADER_LENGTH)
        : [{ data: apdu, levelParameter: 0 }];
    for (const link of links.slice(0, -1)) {
      const ack = await this.slot.xfr(link.data, { levelParameter: link.levelParameter });
      if (ack.data.length !== 0) {
        throw new ReaderError('MESSAGE_MALFORMED', 'reader answered a command link with data', { details: { length: ack.data.length } });
      }
    }
    const last = links[links.length - 1];
    let block = await this.slot.xfr(last.data, { levelParameter: last.levelParameter });
    const parts: Uint8Array[] = [block.data];
    let total = block.data.length;
    for (let n = 0; block.chainParameter === CHAIN_BEGIN || block.chainParameter === CHAIN_CONTINUE; n++) {
      if (n >= MAX_RESPONSE_LINKS) throw new ReaderError('RESPONSE_TOO_LARGE', 'reader keeps chaining the response');
      block = await this.slot.xfr(new Uint8Array(0), { levelParameter: LEVEL_EMPTY_CONTINUE_RESPONSE });
      parts.push(block.data);
      total += block.data.length;
      if (total > this.maxResponseLength) {
        throw new ReaderError('RESPONSE_TOO_LARGE', 'response longer than negotiated', { details: { total, max: this.maxResponseLength } });
      }
    }
    const out = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }
}
