/**
 * The T=1 state machine against scripted cards. Every block the host must
 * send is written out by hand from ISO/IEC 7816-3 §11 (see block.test.ts for
 * the PCB/LRC arithmetic), so a wrong sequence number, a missing R-block or a
 * skipped retransmission fails byte-exactly.
 */
import { describe, expect, it } from 'vitest';
import { fromHex, toHex } from '../../bytes/hex';
import { ReaderError } from '../errors';
import { T1Session, type T1Port } from './session';

type Reply = string | ReaderError;
interface Step {
  send: string;
  reply: Reply;
  wtx?: number;
}

/** A card that expects exactly these blocks, in order, and answers as scripted. */
function scripted(steps: Step[]): T1Port & { done(): void } {
  let i = 0;
  return {
    async exchange(block, wtx) {
      const step = steps[i++];
      if (!step) throw new Error(`unexpected extra block ${toHex(block)}`);
      expect(toHex(block), `block ${i}`).toBe(step.send.replace(/\s/g, ''));
      expect(wtx, `wtx of block ${i}`).toBe(step.wtx ?? 0);
      if (step.reply instanceof ReaderError) throw step.reply;
      return fromHex(step.reply);
    },
    done() {
      expect(i, 'all scripted blocks sent').toBe(steps.length);
    },
  };
}

const SELECT = fromHex('00A4040C');
const I0_SELECT = '00 00 04 00A4040C A8';
const I1_SELECT = '00 40 04 00A4040C E8';
const CARD_I0_9000 = '00 00 02 9000 92';
const CARD_I1_9000 = '00 40 02 9000 D2';

describe('T1Session', () => {
  it('exchanges single blocks and toggles N(S)/N(R)', async () => {
    const card = scripted([
      { send: I0_SELECT, reply: CARD_I0_9000 },
      { send: I1_SELECT, reply: CARD_I1_9000 },
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    expect(toHex(await t1.transceive(SELECT))).toBe('9000');
    expect(toHex(await t1.transceive(SELECT))).toBe('9000');
    card.done();
  });

  it('negotiates IFSD with S(IFS request)', async () => {
    const card = scripted([{ send: '00 C1 01 FE 3E', reply: '00 E1 01 FE 1E' }]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    await t1.negotiateIfsd(254);
    expect(t1.state.ifsd).toBe(254);
    card.done();
  });

  it('chains a command longer than IFSC, waiting for R-blocks between links', async () => {
    const card = scripted([
      { send: '00 20 04 00A4040C 88', reply: '00 90 00 90' }, // I(0,M) -> R(1)
      { send: '00 60 04 07D27600 C7', reply: '00 80 00 80' }, // I(1,M) -> R(0)
      { send: '00 00 04 01448000 C1', reply: CARD_I0_9000 }, // I(0) -> I(0)
    ]);
    const t1 = new T1Session(card, { ifsc: 4, edc: 'lrc' });
    expect(toHex(await t1.transceive(fromHex('00A4040C07D2760001448000')))).toBe('9000');
    expect(t1.state).toMatchObject({ ns: 1, nr: 1 });
    card.done();
  });

  it('acknowledges a chained response with R-blocks', async () => {
    const card = scripted([
      { send: I0_SELECT, reply: '00 20 02 6162 21' }, // card I(0,M)
      { send: '00 90 00 90', reply: '00 40 03 639000 B0' }, // R(1) -> card I(1)
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    expect(toHex(await t1.transceive(SELECT))).toBe('6162639000');
    card.done();
  });

  it('answers S(WTX) and passes the multiplier to the next exchange', async () => {
    const card = scripted([
      { send: I0_SELECT, reply: '00 C3 01 02 C0' },
      { send: '00 E3 01 02 E0', reply: CARD_I0_9000, wtx: 2 },
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    expect(toHex(await t1.transceive(SELECT))).toBe('9000');
    card.done();
  });

  it('stops a WTX storm with WTX_STORM and resynchronises before the next APDU', async () => {
    const steps: Step[] = [{ send: I0_SELECT, reply: '00 C3 01 02 C0' }];
    for (let k = 0; k < 3; k++) steps.push({ send: '00 E3 01 02 E0', reply: '00 C3 01 02 C0', wtx: 2 });
    steps.push({ send: '00 C0 00 C0', reply: '00 E0 00 E0' }); // next APDU: S(RESYNCH) first
    steps.push({ send: I0_SELECT, reply: CARD_I0_9000 });
    const card = scripted(steps);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc', maxWtxPerApdu: 3 });
    await expect(t1.transceive(SELECT)).rejects.toMatchObject({ code: 'WTX_STORM' });
    expect(toHex(await t1.transceive(SELECT))).toBe('9000');
    card.done();
  });

  it('asks for a block with a bad LRC again with R(N(R), EDC error)', async () => {
    const card = scripted([
      { send: I0_SELECT, reply: '00 00 02 9000 93' },
      { send: '00 81 00 81', reply: CARD_I0_9000 },
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    expect(toHex(await t1.transceive(SELECT))).toBe('9000');
    card.done();
  });

  it('treats a mute card (CCID bError FE at TPDU level) as a missing block', async () => {
    const card = scripted([
      { send: I0_SELECT, reply: new ReaderError('CARD_MUTE', 'mute') },
      { send: '00 82 00 82', reply: CARD_I0_9000 },
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    expect(toHex(await t1.transceive(SELECT))).toBe('9000');
    card.done();
  });

  it('retransmits its I-block when the card answers R(N(R) = N(S))', async () => {
    const card = scripted([
      { send: I0_SELECT, reply: '00 80 00 80' },
      { send: I0_SELECT, reply: CARD_I0_9000 },
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    expect(toHex(await t1.transceive(SELECT))).toBe('9000');
    card.done();
  });

  it('repeats its R-block when a chained response link arrives broken (Rule 7.2)', async () => {
    const card = scripted([
      { send: I0_SELECT, reply: '00 20 02 6162 21' },
      { send: '00 90 00 90', reply: '00 40 03 639000 B1' }, // bad LRC
      { send: '00 90 00 90', reply: '00 40 03 639000 B0' },
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    expect(toHex(await t1.transceive(SELECT))).toBe('6162639000');
    card.done();
  });

  it('resynchronises after the retry limit and restarts the APDU from N(S) = 0', async () => {
    const card = scripted([
      { send: I0_SELECT, reply: CARD_I0_9000 },
      { send: I1_SELECT, reply: 'FFFF' },
      { send: '00 92 00 92', reply: 'FFFF' }, // R(N(R) = 1, other error)
      { send: '00 92 00 92', reply: 'FFFF' }, // Rule 7.2: the same R-block again
      { send: '00 C0 00 C0', reply: '00 E0 00 E0' },
      { send: I0_SELECT, reply: CARD_I0_9000 },
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc', maxRetries: 2 });
    await t1.transceive(SELECT);
    expect(toHex(await t1.transceive(SELECT))).toBe('9000');
    card.done();
  });

  it('renegotiates IFSD after a resynchronisation', async () => {
    const card = scripted([
      { send: '00 C1 01 FE 3E', reply: '00 E1 01 FE 1E' },
      { send: I0_SELECT, reply: '00 C0 00 C0' }, // the card may not request RESYNCH: the host resynchronises
      { send: '00 C0 00 C0', reply: '00 E0 00 E0' },
      { send: '00 C1 01 FE 3E', reply: '00 E1 01 FE 1E' },
      { send: I0_SELECT, reply: CARD_I0_9000 },
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    await t1.negotiateIfsd(254);
    expect(toHex(await t1.transceive(SELECT))).toBe('9000');
    card.done();
  });

  it('is dead after failed resynchronisations and says so', async () => {
    const steps: Step[] = [{ send: I0_SELECT, reply: 'FF' }, { send: '00 82 00 82', reply: 'FF' }];
    for (let k = 0; k < 2; k++) steps.push({ send: '00 C0 00 C0', reply: 'FF' });
    const card = scripted(steps);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc', maxRetries: 1, maxResyncs: 1 });
    await expect(t1.transceive(SELECT)).rejects.toMatchObject({ code: 'T1_PROTOCOL_ERROR' });
    expect(t1.state.dead).toBe(true);
    await expect(t1.transceive(SELECT)).rejects.toMatchObject({ code: 'T1_PROTOCOL_ERROR' });
    card.done();
  });

  it('accepts S(IFS request) from the card and uses the new IFSC for the following links', async () => {
    const card = scripted([
      { send: '00 20 04 00A4040C 88', reply: '00 C1 01 10 D0' }, // card: IFSC = 16
      { send: '00 E1 01 10 F0', reply: '00 90 00 90' }, // our S(IFS response), card acks the link
      { send: '00 40 08 07D2760001448000 ' + 'C7'.replace('C7', lrcOf('00 40 08 07D2760001448000')), reply: CARD_I0_9000 },
    ]);
    const t1 = new T1Session(card, { ifsc: 4, edc: 'lrc' });
    expect(toHex(await t1.transceive(fromHex('00A4040C07D2760001448000')))).toBe('9000');
    expect(t1.state.ifsc).toBe(16);
    card.done();
  });

  it('refuses a response larger than allowed, then resynchronises', async () => {
    const card = scripted([
      { send: I0_SELECT, reply: '00 20 02 6162 21' },
      { send: '00 90 00 90', reply: '00 40 03 639000 B0' },
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc', maxResponseLength: 4 });
    await expect(t1.transceive(SELECT)).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    card.done();
  });

  it('confirms S(ABORT) from the card and reports T1_ABORTED', async () => {
    const card = scripted([
      { send: I0_SELECT, reply: '00 C2 00 C2' },
      { send: '00 E2 00 E2', reply: '00 80 00 80' },
    ]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    await expect(t1.transceive(SELECT)).rejects.toMatchObject({ code: 'T1_ABORTED' });
    card.done();
  });

  it('lets card removal through untouched', async () => {
    const card = scripted([{ send: I0_SELECT, reply: new ReaderError('NO_CARD', 'gone') }]);
    const t1 = new T1Session(card, { ifsc: 254, edc: 'lrc' });
    await expect(t1.transceive(SELECT)).rejects.toMatchObject({ code: 'NO_CARD' });
  });
});

/** LRC written out as the XOR the standard defines (used only where a vector would be tedious by hand). */
function lrcOf(hex: string): string {
  let x = 0;
  for (const b of fromHex(hex)) x ^= b;
  return x.toString(16).toUpperCase().padStart(2, '0');
}
