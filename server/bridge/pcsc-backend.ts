import type { CardPresence } from '../../lib/card-transport/types';
import { EXTENDED_APDU_MAX, SHORT_APDU_MAX } from '../../lib/ccid/classify';
import { ReaderError, type ReaderErrorCode } from '../../lib/ccid/errors';
import type { BackendReader, CardSession, ReaderBackend } from './backend';
import { loadPcscLite, pcscdReachable, type PcscLite, type PcscLiteFactory, type PcscLiteReader } from './pcsc-loader';
import { transmitWithT0Handling } from './t0-response';

/** pcsc-lite return codes (pcsclite.h) worth a specific answer. */
const PCSC_CODES: Record<number, ReaderErrorCode> = {
  0x80100069: 'CARD_REMOVED', // SCARD_W_REMOVED_CARD
  0x80100068: 'NOT_CONNECTED', // SCARD_W_RESET_CARD: someone reset the card, the session state is gone
  0x8010000c: 'NO_CARD', // SCARD_E_NO_SMARTCARD
  0x80100066: 'CARD_MUTE', // SCARD_W_UNRESPONSIVE_CARD
  0x80100067: 'CARD_MUTE', // SCARD_W_UNPOWERED_CARD
  0x80100017: 'READER_GONE', // SCARD_E_READER_UNAVAILABLE
  0x80100009: 'READER_GONE', // SCARD_E_UNKNOWN_READER
  0x8010000b: 'BUSY', // SCARD_E_SHARING_VIOLATION
  0x8010001d: 'PCSC_UNAVAILABLE', // SCARD_E_NO_SERVICE
  0x8010001e: 'PCSC_UNAVAILABLE', // SCARD_E_SERVICE_STOPPED
  0x80100008: 'RESPONSE_TOO_LARGE', // SCARD_E_INSUFFICIENT_BUFFER
};

/** @pokusew/pcsclite reports "SCardTransmit error: Card was removed.(0x80100069)". */
export function pcscError(e: unknown, what: string): ReaderError {
  const text = e instanceof Error ? e.message : String(e);
  const m = /0x([0-9a-f]{8})/i.exec(text);
  const rc = m ? parseInt(m[1], 16) : undefined;
  const code = (rc !== undefined && PCSC_CODES[rc]) || 'PCSC_ERROR';
  return new ReaderError(code, `${what}: ${text}`, { cause: e, details: { rc } });
}

const CM_IOCTL_GET_FEATURE_REQUEST = 3400;
const FEATURE_GET_TLV_PROPERTIES = 0x12;
const TLV_PROPERTY_MAX_APDU_DATA_SIZE = 0x0a;
/** pcsc-lite's MAX_BUFFER_SIZE_EXTENDED: the largest receive buffer it handles. */
const RECEIVE_BUFFER = 65_548;

const call = <T>(f: (cb: (err: unknown, v: T) => void) => void): Promise<T> =>
  new Promise((resolve, reject) => f((err, v) => (err ? reject(err) : resolve(v))));

interface Entry {
  reader: PcscLiteReader;
  presence: CardPresence;
  atr?: Uint8Array;
  /** Bumped on every card change: a session of an older card is over. */
  generation: number;
}

/**
 * Readers from the host's PC/SC (pcsc-lite on Linux/macOS, WinSCard on
 * Windows) through @pokusew/pcsclite. Cards are connected exclusively and
 * reset on disconnect: secure-messaging sessions must not be shared.
 */
export class PcscBackend implements ReaderBackend {
  private pcsc?: PcscLite;
  private readonly entries = new Map<string, Entry>();
  private readonly listeners = new Set<() => void>();
  private restartTimer?: ReturnType<typeof setTimeout>;
  private closed = false;

  private constructor(
    private readonly factory: PcscLiteFactory,
    private readonly log: (event: string, details?: Record<string, unknown>) => void,
  ) {}

  static async start(opts: { factory?: PcscLiteFactory; log?: (event: string, details?: Record<string, unknown>) => void } = {}) {
    const factory = opts.factory ?? (await loadPcscLite());
    if (!(await pcscdReachable())) throw new ReaderError('PCSC_UNAVAILABLE', 'pcscd is not running (no answer on its socket)');
    const backend = new PcscBackend(factory, opts.log ?? (() => undefined));
    backend.attach();
    return backend;
  }

  private attach(): void {
    const pcsc = this.factory();
    this.pcsc = pcsc;
    pcsc.on('reader', (r) => this.addReader(r));
    pcsc.on('error', (e) => {
      if (this.closed || this.pcsc !== pcsc) return;
      this.log('pcsc-error', { error: String(e) });
      this.detach();
      this.scheduleRestart();
    });
  }

  private detach(): void {
    // Each reader and the context run a native status thread; all of them must stop, or Node never exits.
    for (const e of this.entries.values()) {
      try {
        e.reader.close();
      } catch {
        // already gone
      }
    }
    try {
      this.pcsc?.close();
    } catch {
      // already gone
    }
    this.pcsc = undefined;
    this.entries.clear();
    this.changed();
  }

  /** pcscd went away (restart, update): come back when its socket answers again. */
  private scheduleRestart(): void {
    if (this.closed || this.restartTimer) return;
    this.restartTimer = setTimeout(async () => {
      this.restartTimer = undefined;
      if (this.closed) return;
      if (await pcscdReachable()) this.attach();
      else this.scheduleRestart();
    }, 2_000);
    this.restartTimer.unref?.();
  }

  private addReader(reader: PcscLiteReader): void {
    const entry: Entry = { reader, presence: 'empty', generation: 0 };
    this.entries.set(reader.name, entry);
    reader.on('status', (status) => {
      const present = (status.state & reader.SCARD_STATE_PRESENT) !== 0;
      const presence: CardPresence = present ? 'present' : 'empty';
      const atr = present && status.atr?.length ? new Uint8Array(status.atr) : undefined;
      if (presence !== entry.presence || !sameBytes(atr, entry.atr)) entry.generation++;
      entry.presence = presence;
      entry.atr = atr;
      this.changed();
    });
    reader.on('end', () => {
      entry.generation++;
      this.entries.delete(reader.name);
      this.changed();
    });
    reader.on('error', (e) => {
      if (!this.closed) this.log('reader-error', { reader: reader.name, error: String(e) });
    });
    this.changed();
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  readers(): BackendReader[] {
    return [...this.entries.values()].map((e) => ({ name: e.reader.name, presence: e.presence, atr: e.atr }));
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async connect(readerName: string): Promise<CardSession> {
    const entry = this.entries.get(readerName);
    if (!entry) throw new ReaderError('READER_GONE', 'no such reader', { details: { readerName } });
    if (entry.presence !== 'present') throw new ReaderError('NO_CARD', 'no card in the reader');
    const { reader } = entry;
    if (reader.connected) await call<void>((cb) => reader.disconnect(reader.SCARD_RESET_CARD, (err) => cb(err, undefined))).catch(() => undefined);
    let protocol: number;
    try {
      protocol = await call<number>((cb) =>
        reader.connect({ share_mode: reader.SCARD_SHARE_EXCLUSIVE, protocol: reader.SCARD_PROTOCOL_T0 | reader.SCARD_PROTOCOL_T1 }, cb),
      );
    } catch (e) {
      throw pcscError(e, 'SCardConnect');
    }
    const generation = entry.generation;
    const t0 = protocol === reader.SCARD_PROTOCOL_T0;
    const maxApduLength = await this.maxApduLength(reader);
    let queue: Promise<unknown> = Promise.resolve();
    let open = true;
    const raw = async (apdu: Uint8Array): Promise<Uint8Array> => {
      try {
        return new Uint8Array(await call<Buffer>((cb) => reader.transmit(Buffer.from(apdu), RECEIVE_BUFFER, protocol, cb)));
      } catch (e) {
        throw pcscError(e, 'SCardTransmit');
      }
    };
    const transmit = (apdu: Uint8Array): Promise<Uint8Array> => {
      const run = async () => {
        if (!open) throw new ReaderError('NOT_CONNECTED', 'session closed');
        if (entry.generation !== generation || !this.entries.has(readerName)) throw new ReaderError('CARD_REMOVED', 'the card was removed');
        return t0 ? transmitWithT0Handling(raw, apdu) : raw(apdu);
      };
      const p = queue.then(run, run);
      queue = p.catch(() => undefined);
      return p;
    };
    return {
      atr: entry.atr ?? new Uint8Array(0),
      protocol: t0 ? 'T0' : 'T1',
      maxApduLength,
      transmit,
      disconnect: async () => {
        if (!open) return;
        open = false;
        await queue;
        if (reader.connected) {
          await call<void>((cb) => reader.disconnect(reader.SCARD_RESET_CARD, (err) => cb(err, undefined))).catch(() => undefined);
        }
      },
    };
  }

  /**
   * dwMaxAPDUDataSize from the reader driver (PC/SC part 10 TLV properties):
   * 0 means short APDUs only. Unknown counts as short: the client then avoids
   * extended length instead of failing mid-scenario (egk-and-readers.md §5).
   */
  private async maxApduLength(reader: PcscLiteReader): Promise<number> {
    try {
      const features = await call<Buffer>((cb) => reader.control(Buffer.alloc(0), reader.SCARD_CTL_CODE(CM_IOCTL_GET_FEATURE_REQUEST), 256, cb));
      let ioctl: number | undefined;
      for (let o = 0; o + 6 <= features.length; o += 2 + features[o + 1]) {
        if (features[o] === FEATURE_GET_TLV_PROPERTIES && features[o + 1] === 4) ioctl = features.readUInt32BE(o + 2);
      }
      if (ioctl === undefined) return SHORT_APDU_MAX;
      const props = await call<Buffer>((cb) => reader.control(Buffer.alloc(0), ioctl!, 256, cb));
      for (let o = 0; o + 2 <= props.length; o += 2 + props[o + 1]) {
        if (props[o] === TLV_PROPERTY_MAX_APDU_DATA_SIZE && props[o + 1] === 4 && o + 6 <= props.length) {
          const size = props.readUInt32LE(o + 2);
          return size > 255 ? Math.min(EXTENDED_APDU_MAX, 4 + 3 + size + 2) : SHORT_APDU_MAX;
        }
      }
    } catch {
      // Drivers without part-10 features: fall through.
    }
    return SHORT_APDU_MAX;
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.restartTimer) clearTimeout(this.restartTimer);
    for (const e of this.entries.values()) {
      if (e.reader.connected) await call<void>((cb) => e.reader.disconnect(e.reader.SCARD_RESET_CARD, (err) => cb(err, undefined))).catch(() => undefined);
    }
    this.detach();
    this.listeners.clear();
  }
}

function sameBytes(a?: Uint8Array, b?: Uint8Array): boolean {
  if (!a || !b) return a === b;
  return a.length === b.length && a.every((v, i) => v === b[i]);
}
