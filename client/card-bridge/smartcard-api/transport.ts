import type { CardPresence, CardTransport, CardTransportInfo } from '../../../lib/card-transport/types';
import { EXTENDED_APDU_MAX } from '../../../lib/ccid/classify';
import { ReaderError, isReaderError } from '../../../lib/ccid/errors';
import {
  browserSmartCard,
  type SmartCardConnectionLike,
  type SmartCardContextLike,
  type SmartCardReaderStateFlagsIn,
  type SmartCardResourceManagerLike,
} from './smartcard-types';

/**
 * Whether the Web Smart Card API can be offered, with a one-line reason when
 * not (German, shown in the reader picker). The API exists only in Isolated
 * Web Apps, and so far only on ChromeOS (egk-and-readers.md §4.3).
 */
export function smartCardApiAvailability(
  manager: SmartCardResourceManagerLike | undefined = browserSmartCard(),
): { available: true } | { available: false; reason: string } {
  if (manager) return { available: true };
  return {
    available: false,
    reason: 'Web Smart Card API nicht verfügbar: nur in Isolated Web Apps (derzeit ChromeOS), nicht in normalen Webseiten.',
  };
}

/** Maps DOMException names of the API (spec §"SmartCardError") to reader codes. */
function apiError(e: unknown, what: string): ReaderError {
  if (isReaderError(e)) return e;
  const name = typeof e === 'object' && e !== null && 'name' in e ? String((e as { name: unknown }).name) : '';
  const responseCode = typeof e === 'object' && e !== null && 'responseCode' in e ? String((e as { responseCode: unknown }).responseCode) : '';
  const details = { what, name, responseCode };
  if (/removed-card|no-smartcard/.test(responseCode)) return new ReaderError('CARD_REMOVED', 'the card was removed', { cause: e, details });
  if (/reader-unavailable|unknown-reader|no-readers-available/.test(responseCode)) {
    return new ReaderError('READER_GONE', 'the reader is gone', { cause: e, details });
  }
  if (name === 'NotAllowedError') return new ReaderError('SMARTCARD_API_UNAVAILABLE', 'smart card access not allowed', { cause: e, details });
  return new ReaderError('SMARTCARD_API_ERROR', `Web Smart Card API: ${what} failed`, { cause: e, details });
}

/**
 * CardTransport over navigator.smartCard (PC/SC of the host OS). The card is
 * connected exclusively: a foreign APDU in the middle of a secure-messaging
 * session would end it (egk-and-readers.md §5).
 */
export class SmartCardApiTransport implements CardTransport {
  private context?: SmartCardContextLike;
  private connection?: SmartCardConnectionLike;
  private listeners = new Set<(p: CardPresence) => void>();
  private presence: CardPresence = 'no-reader';
  private watch?: AbortController;
  private closed = false;

  constructor(
    readonly readerName: string,
    private readonly manager: SmartCardResourceManagerLike | undefined = browserSmartCard(),
  ) {}

  get info(): CardTransportInfo {
    // PC/SC readers handle extended length themselves where they can; the card decides.
    return { kind: 'smartcard-api', readerName: this.readerName, maxApduLength: EXTENDED_APDU_MAX };
  }

  /** Reader names the host's PC/SC knows, for the picker. */
  static async listReaders(manager = browserSmartCard()): Promise<string[]> {
    if (!manager) throw new ReaderError('SMARTCARD_API_UNAVAILABLE', 'no Web Smart Card API');
    try {
      return await (await manager.establishContext()).listReaders();
    } catch (e) {
      throw apiError(e, 'listReaders');
    }
  }

  private async ctx(): Promise<SmartCardContextLike> {
    if (this.closed) throw new ReaderError('CLOSED', 'transport closed');
    if (!this.manager) throw new ReaderError('SMARTCARD_API_UNAVAILABLE', 'no Web Smart Card API');
    if (!this.context) {
      try {
        this.context = await this.manager.establishContext();
      } catch (e) {
        throw apiError(e, 'establishContext');
      }
      this.startWatching();
    }
    return this.context;
  }

  async connect(): Promise<Uint8Array> {
    const ctx = await this.ctx();
    if (this.connection) await this.connection.disconnect('reset').catch(() => undefined);
    this.connection = undefined;
    try {
      const { connection } = await ctx.connect(this.readerName, 'exclusive', { preferredProtocols: ['t1', 't0'] });
      this.connection = connection;
      const status = await connection.status();
      if (!status.answerToReset) throw new ReaderError('ATR_MALFORMED', 'no ATR from the reader');
      this.setPresence('present');
      return new Uint8Array(status.answerToReset);
    } catch (e) {
      throw apiError(e, 'connect');
    }
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const c = this.connection;
    if (!c) throw new ReaderError('NOT_CONNECTED', 'card not connected');
    try {
      const r = new Uint8Array(await c.transmit(command));
      if (r.length < 2) throw new ReaderError('MESSAGE_MALFORMED', 'response without status word');
      return r;
    } catch (e) {
      const err = apiError(e, 'transmit');
      if (err.code === 'CARD_REMOVED' || err.code === 'READER_GONE') this.connection = undefined;
      throw err;
    }
  }

  private startWatching(): void {
    const controller = new AbortController();
    this.watch = controller;
    void (async () => {
      let current: SmartCardReaderStateFlagsIn = { unaware: true };
      while (!controller.signal.aborted && this.context) {
        try {
          const [state] = await this.context.getStatusChange([{ readerName: this.readerName, currentState: current }], {
            signal: controller.signal,
          });
          if (!state) continue;
          const s = state.eventState;
          current = { ...s };
          delete (current as { changed?: boolean }).changed;
          delete (current as { unknown?: boolean }).unknown;
          if (s.unknown || s.unavailable) this.setPresence('no-reader');
          else if (s.present) this.setPresence('present');
          else if (s.empty) {
            this.connection = undefined;
            this.setPresence('empty');
          }
        } catch {
          // Aborted on close, or the context went away: presence is then unknown.
          return;
        }
      }
    })();
  }

  private setPresence(p: CardPresence): void {
    if (p === this.presence) return;
    this.presence = p;
    for (const l of [...this.listeners]) l(p);
  }

  onPresence(listener: (presence: CardPresence) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.watch?.abort();
    await this.connection?.disconnect('reset').catch(() => undefined);
    this.connection = undefined;
    this.context = undefined;
    this.listeners.clear();
  }
}
