import { ReaderError, isReaderError } from '../../../lib/ccid/errors';
import { CONTROL_REQUEST_ABORT, abort as abortMessage, abortControlValue, OFFSET_MESSAGE_TYPE } from '../../../lib/ccid/messages';
import { EXPECTED_REPLY, expectedMessageLength, isReaderMessageType, parseReaderMessage, type RdrToPcMessage } from '../../../lib/ccid/responses';
import { usbError } from './usb-errors';
import { dataViewBytes, type UsbDeviceLike } from './usb-types';

export interface CcidChannelOptions {
  interfaceNumber: number;
  bulkIn: { number: number; packetSize: number };
  bulkOut: { number: number; packetSize: number };
  maxMessageLength: number;
  /** How long one reply may take before the reader counts as hung. */
  responseTimeoutMs: number;
  /** Time extensions (bStatus 0x80) accepted for one command. */
  maxTimeExtensions: number;
  /** Ceiling for one command including every time extension. */
  maxCommandMs: number;
}

interface Pending {
  seq: number;
  slot: number;
  expected: RdrToPcMessage['type'];
  resolve: (m: RdrToPcMessage) => void;
  reject: (e: ReaderError) => void;
  timer?: ReturnType<typeof setTimeout>;
  extensions: number;
  started: number;
  /** Waiting for the SlotStatus that confirms an abort: the aborted command's own late reply is dropped. */
  aborting?: boolean;
}

/**
 * The bulk pipe pair of one CCID interface: assigns bSeq, keeps exactly one
 * transferIn outstanding (so a late reply to a timed-out command is read and
 * dropped instead of being mistaken for the next answer), reassembles messages
 * split over several transfers, honours time extensions with a cap, and aborts
 * a command the reader will not finish (CCID Rev 1.1 §5.3.1, §6.1.13).
 */
export class CcidChannel {
  private seq = 0;
  private pending?: Pending;
  private buffer = new Uint8Array(0);
  private reading = false;
  private broken?: ReaderError;
  private closed = false;
  private queue: Promise<unknown> = Promise.resolve();
  /** Messages dropped as stale or unsolicited, for diagnostics. */
  dropped = 0;

  constructor(
    private readonly device: UsbDeviceLike,
    private readonly opts: CcidChannelOptions,
  ) {}

  /** Sends one command built for the next sequence number and resolves with its reply. Commands are serialised. */
  command(slot: number, build: (seq: number) => Uint8Array): Promise<RdrToPcMessage> {
    const run = () => this.exchange(slot, build);
    const p = this.queue.then(run, run);
    this.queue = p.catch(() => undefined);
    return p;
  }

  /** Fails the command in flight, e.g. when the card is pulled or the reader unplugged. */
  failPending(error: ReaderError): void {
    const p = this.pending;
    if (!p) return;
    this.pending = undefined;
    if (p.timer) clearTimeout(p.timer);
    p.reject(error);
  }

  /** Stops the read loop's effect; the device itself is closed by the owner. */
  close(error = new ReaderError('CLOSED', 'reader connection closed')): void {
    this.closed = true;
    this.broken ??= error;
    this.failPending(error);
  }

  private async exchange(slot: number, build: (seq: number) => Uint8Array): Promise<RdrToPcMessage> {
    if (this.broken) throw this.broken;
    const seq = this.seq;
    this.seq = (this.seq + 1) & 0xff;
    const message = build(seq);
    const expected = EXPECTED_REPLY[message[OFFSET_MESSAGE_TYPE]];
    if (!expected) throw new ReaderError('APDU_MALFORMED', 'not a PC_to_RDR bulk message', { details: { type: message[0] } });
    if (message.length > this.opts.maxMessageLength) {
      throw new ReaderError('APDU_TOO_LONG', 'message longer than dwMaxCCIDMessageLength', {
        details: { length: message.length, max: this.opts.maxMessageLength },
      });
    }
    const reply = new Promise<RdrToPcMessage>((resolve, reject) => {
      this.pending = { seq, slot, expected, resolve, reject, extensions: 0, started: Date.now() };
      this.arm(this.opts.responseTimeoutMs);
    });
    this.ensureReading();
    try {
      const r = await this.device.transferOut(this.opts.bulkOut.number, message);
      if (r.status === 'stall') {
        await this.device.clearHalt('out', this.opts.bulkOut.number).catch(() => undefined);
        throw new ReaderError('USB_TRANSFER_FAILED', 'bulk-OUT endpoint stalled');
      }
    } catch (e) {
      const err = usbError(e, 'transfer');
      this.failPending(err);
      if (err.code === 'READER_GONE') this.broken = err;
    }
    try {
      return await reply;
    } catch (e) {
      const err = isReaderError(e) ? e : usbError(e, 'transfer');
      if (err.code === 'TIMEOUT' || err.code === 'TIME_EXTENSION_STORM') await this.abort(slot, seq);
      throw err;
    }
  }

  private arm(ms: number): void {
    const p = this.pending;
    if (!p) return;
    if (p.timer) clearTimeout(p.timer);
    p.timer = setTimeout(() => {
      if (this.pending !== p) return;
      this.failPending(new ReaderError('TIMEOUT', 'the reader did not answer in time', { details: { ms, seq: p.seq } }));
    }, ms);
  }

  private ensureReading(): void {
    if (this.reading || this.closed) return;
    this.reading = true;
    void this.readLoop();
  }

  private async readLoop(): Promise<void> {
    const { packetSize, number } = this.opts.bulkIn;
    const readSize = Math.ceil(this.opts.maxMessageLength / packetSize) * packetSize;
    try {
      while (!this.closed) {
        const r = await this.device.transferIn(number, readSize);
        if (r.status === 'stall') {
          await this.device.clearHalt('in', number);
          continue;
        }
        // Zero-length packets (GemPC firmware 2.00 on USB 3, see quirks) carry nothing.
        this.received(dataViewBytes(r.data));
      }
    } catch (e) {
      const err = usbError(e, 'transfer');
      if (!this.closed) {
        this.broken = err;
        this.failPending(err);
      }
    } finally {
      this.reading = false;
    }
  }

  private received(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    const joined = new Uint8Array(this.buffer.length + chunk.length);
    joined.set(this.buffer);
    joined.set(chunk, this.buffer.length);
    this.buffer = joined;
    for (;;) {
      const need = expectedMessageLength(this.buffer);
      if (need === undefined) return;
      const type = this.buffer[0];
      if (!isReaderMessageType(type)) {
        this.buffer = new Uint8Array(0);
        this.failPending(new ReaderError('MESSAGE_MALFORMED', 'unknown reader message type', { details: { type } }));
        return;
      }
      if (need > this.opts.maxMessageLength) {
        this.buffer = new Uint8Array(0);
        this.failPending(
          new ReaderError('RESPONSE_TOO_LARGE', 'reader message longer than dwMaxCCIDMessageLength', {
            details: { length: need, max: this.opts.maxMessageLength },
          }),
        );
        return;
      }
      if (this.buffer.length < need) return;
      const bytes = this.buffer.subarray(0, need);
      this.buffer = this.buffer.slice(need);
      this.dispatch(bytes);
    }
  }

  private dispatch(bytes: Uint8Array): void {
    let m: RdrToPcMessage;
    try {
      m = parseReaderMessage(bytes, this.opts.maxMessageLength);
    } catch (e) {
      this.buffer = new Uint8Array(0);
      this.failPending(isReaderError(e) ? e : new ReaderError('MESSAGE_MALFORMED', 'unreadable reader message'));
      return;
    }
    const p = this.pending;
    if (!p || m.seq !== p.seq || m.slot !== p.slot) {
      // A late answer to a command that timed out, or a reader talking out of turn.
      this.dropped++;
      return;
    }
    if (p.aborting && m.type !== 'slot-status') {
      this.dropped++;
      return;
    }
    if (m.command === 'time-extension') {
      p.extensions++;
      const elapsed = Date.now() - p.started;
      if (p.extensions > this.opts.maxTimeExtensions || elapsed > this.opts.maxCommandMs) {
        this.failPending(
          new ReaderError('TIME_EXTENSION_STORM', 'the reader keeps asking for more time', {
            details: { extensions: p.extensions, elapsedMs: elapsed },
          }),
        );
        return;
      }
      // bError is the multiplier of the waiting time the card asked for (CCIDdrv commands.c).
      this.arm(this.opts.responseTimeoutMs * Math.max(1, m.bError));
      return;
    }
    if (m.type !== p.expected) {
      this.failPending(
        new ReaderError('MESSAGE_MALFORMED', 'reader answered with the wrong message type', {
          details: { expected: p.expected, got: m.type },
        }),
      );
      return;
    }
    this.pending = undefined;
    if (p.timer) clearTimeout(p.timer);
    p.resolve(m);
  }

  /** Best effort: a failed abort leaves the channel as it was; the next command will tell. */
  private async abort(slot: number, seq: number): Promise<void> {
    if (this.closed || this.broken) return;
    try {
      await this.device.controlTransferOut({
        requestType: 'class',
        recipient: 'interface',
        request: CONTROL_REQUEST_ABORT,
        value: abortControlValue(slot, seq),
        index: this.opts.interfaceNumber,
      });
      const reply = new Promise<RdrToPcMessage>((resolve, reject) => {
        this.pending = { seq, slot, expected: 'slot-status', resolve, reject, extensions: 0, started: Date.now(), aborting: true };
        this.arm(Math.min(this.opts.responseTimeoutMs, 2000));
      });
      await this.device.transferOut(this.opts.bulkOut.number, abortMessage(slot, seq));
      await reply;
    } catch {
      this.failPending(new ReaderError('CCID_ABORTED', 'abort not confirmed'));
    }
  }
}
