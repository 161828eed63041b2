import { ReaderError, isReaderError } from '../errors';
import { decodeBlock, encodeBlock, iBlock, rBlock, sBlock, type Bit, type T1Block } from './block';
import type { EdcKind } from './edc';

/**
 * One block out, one block back. At CCID TPDU level this is one XfrBlock; `wtx`
 * is the waiting-time multiplier the card granted itself with S(WTX) for this
 * exchange (0 = none), passed to the reader as bBWI.
 */
export interface T1Port {
  exchange(block: Uint8Array, wtx: number): Promise<Uint8Array>;
}

export interface T1Options {
  /** IFSC from the ATR (default 32). */
  ifsc: number;
  edc: EdcKind;
  nad?: number;
  /** Retransmissions of one block before resynchronising (ISO 7816-3 Rule 7.4: at least 2). */
  maxRetries?: number;
  /** S(RESYNCH) attempts before the session is dead and the card needs a reset (Rule 6.4: 3). */
  maxResyncs?: number;
  /** S(WTX) requests accepted per APDU: a card asking for ever more time is a storm, not a computation. */
  maxWtxPerApdu?: number;
  /** Largest response APDU accepted (data + SW1 SW2). */
  maxResponseLength?: number;
}

/** Reader errors that mean "no valid block arrived" rather than "stop": T=1 recovers from them. */
const RECOVERABLE: ReadonlySet<string> = new Set(['CARD_MUTE', 'CCID_TRANSFER_ERROR']);

/**
 * ISO/IEC 7816-3 §11 block transmission protocol, interface-device side, with
 * its state (send and receive sequence numbers, IFSC/IFSD, resynch need).
 * Chaining both ways, S(IFS), S(WTX), S(ABORT) from the card, error recovery by
 * R-blocks and retransmission, S(RESYNCH) when that fails.
 */
export class T1Session {
  private ns: Bit = 0;
  private nr: Bit = 0;
  private ifsc: number;
  private ifsd = 32;
  private readonly atrIfsc: number;
  private readonly nad: number;
  private readonly edc: EdcKind;
  private readonly maxRetries: number;
  private readonly maxResyncs: number;
  private readonly maxWtx: number;
  private readonly maxResponse: number;
  private needsResync = false;
  private dead = false;

  constructor(
    private readonly port: T1Port,
    opts: T1Options,
  ) {
    this.atrIfsc = this.ifsc = opts.ifsc;
    this.edc = opts.edc;
    this.nad = opts.nad ?? 0;
    this.maxRetries = opts.maxRetries ?? 3;
    this.maxResyncs = opts.maxResyncs ?? 3;
    this.maxWtx = opts.maxWtxPerApdu ?? 32;
    this.maxResponse = opts.maxResponseLength ?? 65538;
  }

  get state(): { ns: Bit; nr: Bit; ifsc: number; ifsd: number; dead: boolean } {
    return { ns: this.ns, nr: this.nr, ifsc: this.ifsc, ifsd: this.ifsd, dead: this.dead };
  }

  private encode(b: T1Block): Uint8Array {
    return encodeBlock({ ...b, nad: this.nad } as T1Block, this.edc);
  }

  /** Sends one block and decodes the answer; recoverable reader errors become an invalid block. */
  private async send(bytes: Uint8Array, wtx: number) {
    try {
      return decodeBlock(await this.port.exchange(bytes, wtx), this.edc);
    } catch (e) {
      if (isReaderError(e) && RECOVERABLE.has(e.code)) {
        return { ok: false as const, invalid: { error: e.code === 'CCID_TRANSFER_ERROR' ? ('edc' as const) : ('other' as const), reason: e.code } };
      }
      throw e;
    }
  }

  private fail(message: string, details?: Record<string, unknown>): never {
    this.dead = true;
    throw new ReaderError('T1_PROTOCOL_ERROR', message, { details });
  }

  /**
   * S(IFS request) announcing the host's receive size, sent once after the ATR
   * unless the reader does it itself (dwFeatures "automatic IFSD exchange").
   */
  async negotiateIfsd(ifsd: number): Promise<void> {
    if (!Number.isInteger(ifsd) || ifsd < 1 || ifsd > 254) throw new RangeError(`IFSD ${ifsd}`);
    const request = this.encode(sBlock('ifs', false, new Uint8Array([ifsd])));
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      const r = await this.send(request, 0);
      if (r.ok && r.block.kind === 'S' && r.block.type === 'ifs' && r.block.response && r.block.inf[0] === ifsd) {
        this.ifsd = ifsd;
        return;
      }
    }
    this.fail('card did not confirm S(IFS)', { ifsd });
  }

  /** Rule 6: S(RESYNCH) resets both sequence numbers and the communication parameters. */
  private async resync(): Promise<void> {
    const request = this.encode(sBlock('resynch', false));
    for (let attempt = 0; attempt <= this.maxRetries; attempt++) {
      const r = await this.send(request, 0);
      if (r.ok && r.block.kind === 'S' && r.block.type === 'resynch' && r.block.response) {
        this.ns = 0;
        this.nr = 0;
        this.ifsc = this.atrIfsc;
        const ifsd = this.ifsd;
        this.ifsd = 32;
        this.needsResync = false;
        if (ifsd !== 32) await this.negotiateIfsd(ifsd);
        return;
      }
    }
    this.fail('card did not answer S(RESYNCH)');
  }

  /** Sends one command APDU and returns the response APDU. */
  async transceive(apdu: Uint8Array): Promise<Uint8Array> {
    if (this.dead) throw new ReaderError('T1_PROTOCOL_ERROR', 'T=1 session is dead: reset the card first');
    if (apdu.length === 0) throw new ReaderError('APDU_MALFORMED', 'empty APDU');
    if (this.needsResync) await this.resync();
    for (let resyncs = 0; ; resyncs++) {
      const outcome = await this.attempt(apdu);
      if (outcome !== 'resync') return outcome;
      if (resyncs >= this.maxResyncs) this.fail('T=1 error recovery exhausted', { resyncs });
      await this.resync();
    }
  }

  /** One attempt at the whole APDU; 'resync' when block-level recovery gave up (Rule 7.4). */
  private async attempt(apdu: Uint8Array): Promise<Uint8Array | 'resync'> {
    let offset = 0;
    let chunk = 0;
    let sending = true;
    const nextI = (): Uint8Array => {
      chunk = Math.min(this.ifsc, apdu.length - offset);
      const more = offset + chunk < apdu.length;
      return this.encode(iBlock(this.ns, more, apdu.subarray(offset, offset + chunk)));
    };
    let lastSent = nextI();
    let lastSentKind: 'I' | 'R' | 'S' = 'I';
    let wtx = 0;
    let retries = 0;
    let wtxCount = 0;
    let cardIfsCount = 0;
    let emptyLinks = 0;
    const response: Uint8Array[] = [];
    let responseLength = 0;

    // A block the host did not expect or could not read: Rule 7.1 asks for the
    // expected I-block with an R-block; Rule 7.2 repeats an R-block we already sent.
    const retryWith = (error: 'edc' | 'other'): boolean => {
      if (++retries > this.maxRetries) return false;
      if (lastSentKind !== 'R') {
        lastSent = this.encode(rBlock(this.nr, error));
        lastSentKind = 'R';
      }
      return true;
    };

    for (;;) {
      const r = await this.send(lastSent, wtx);
      wtx = 0;
      if (!r.ok) {
        if (!retryWith(r.invalid.error)) return 'resync';
        continue;
      }
      const b = r.block;
      if (b.kind === 'I') {
        const chaining = sending && offset + chunk < apdu.length;
        if (chaining) {
          // The card must acknowledge a chained block with an R-block, not answer it.
          if (!retryWith('other')) return 'resync';
          continue;
        }
        if (sending) {
          // The card's first I-block acknowledges our last one.
          this.ns = (this.ns ^ 1) as Bit;
          offset += chunk;
          sending = false;
        }
        if (b.ns !== this.nr) {
          if (!retryWith('other')) return 'resync';
          continue;
        }
        this.nr = (this.nr ^ 1) as Bit;
        responseLength += b.inf.length;
        if (responseLength > this.maxResponse) {
          this.needsResync = true;
          throw new ReaderError('RESPONSE_TOO_LARGE', 'card response exceeds the negotiated maximum', {
            details: { responseLength, max: this.maxResponse },
          });
        }
        response.push(b.inf);
        retries = 0;
        if (!b.more) return concatAll(response, responseLength);
        if (b.inf.length === 0 && ++emptyLinks > this.maxRetries) {
          this.needsResync = true;
          throw new ReaderError('T1_PROTOCOL_ERROR', 'card keeps chaining empty I-blocks');
        }
        lastSent = this.encode(rBlock(this.nr));
        lastSentKind = 'R';
        continue;
      }
      if (b.kind === 'R') {
        if (sending) {
          const chained = offset + chunk < apdu.length;
          if (b.nr !== this.ns && chained) {
            // Acknowledgement of a chained block: send the next link.
            this.ns = (this.ns ^ 1) as Bit;
            offset += chunk;
            lastSent = nextI();
            lastSentKind = 'I';
            retries = 0;
            continue;
          }
          if (b.nr === this.ns) {
            // The card wants our current I-block (again): rebuild it, whatever we sent in between.
            if (++retries > this.maxRetries) return 'resync';
            lastSent = this.encode(iBlock(this.ns, chained, apdu.subarray(offset, offset + chunk)));
            lastSentKind = 'I';
            continue;
          }
          // An acknowledgement for an unchained block: the card should have answered with an I-block.
          if (!retryWith('other')) return 'resync';
          continue;
        }
        // Receiving: the card did not get our last block (R ack or S response); repeat it (Rule 7.2).
        if (++retries > this.maxRetries) return 'resync';
        continue;
      }
      // S-blocks
      if (b.response) {
        if (!retryWith('other')) return 'resync';
        continue;
      }
      switch (b.type) {
        case 'wtx': {
          const m = b.inf[0];
          if (m === 0) {
            if (!retryWith('other')) return 'resync';
            continue;
          }
          if (++wtxCount > this.maxWtx) {
            this.needsResync = true;
            throw new ReaderError('WTX_STORM', 'card keeps asking for more waiting time', { details: { wtxCount, max: this.maxWtx } });
          }
          lastSent = this.encode(sBlock('wtx', true, new Uint8Array([m])));
          lastSentKind = 'S';
          wtx = m;
          continue;
        }
        case 'ifs': {
          const v = b.inf[0];
          if (v < 1 || v > 254 || ++cardIfsCount > this.maxRetries) {
            if (!retryWith('other')) return 'resync';
            continue;
          }
          this.ifsc = v;
          lastSent = this.encode(sBlock('ifs', true, new Uint8Array([v])));
          lastSentKind = 'S';
          continue;
        }
        case 'abort': {
          // Rule 9: confirm, then give up on this APDU; the chain state is gone.
          await this.send(this.encode(sBlock('abort', true)), 0).catch(() => undefined);
          this.needsResync = true;
          throw new ReaderError('T1_ABORTED', 'card aborted the chain');
        }
        case 'resynch':
          // Only the interface device may request resynchronisation.
          return 'resync';
        case 'vpp-error':
          this.fail('card reported a VPP error');
      }
    }
  }
}

function concatAll(parts: Uint8Array[], length: number): Uint8Array {
  const out = new Uint8Array(length);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}
