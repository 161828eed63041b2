import type { CardPresence, CardTransport, CardTransportInfo } from '../../../lib/card-transport/types';
import { commandShape } from '../../../lib/ccid/apdu-chaining';
import { parseAtr } from '../../../lib/ccid/atr';
import { SHORT_APDU_MAX, type InterfaceClassification } from '../../../lib/ccid/classify';
import { ReaderError, isReaderError } from '../../../lib/ccid/errors';
import type { InterruptMessage } from '../../../lib/ccid/interrupt';
import { ApduLevelExchange, type ApduExchange } from './apdu-exchange';
import { CcidChannel } from './ccid-channel';
import { CcidSlot } from './ccid-slot';
import { openCcidReader, readerName, type OpenedReader } from './open-reader';
import { SlotEvents } from './slot-events';
import { startTpduExchange } from './tpdu-exchange';
import { browserUsb, type UsbConnectionEventLike, type UsbDeviceLike, type UsbLike } from './usb-types';

export interface WebUsbCcidOptions {
  /** Source of 'disconnect' events; navigator.usb by default. */
  usb?: UsbLike;
  /** Card slot on multi-slot readers (bMaxSlotIndex > 0). */
  slot?: number;
  /** Per-message reply timeout; readers with a quirk entry bring their own. */
  responseTimeoutMs?: number;
  /** CCID time extensions (bStatus 0x80) accepted per command. */
  maxTimeExtensions?: number;
  /** Ceiling for one CCID command including time extensions. */
  maxCommandMs?: number;
  /** T=1 S(WTX) requests accepted per APDU. */
  maxWtxPerApdu?: number;
  /** Largest response APDU accepted (data + SW). */
  maxResponseLength?: number;
  /** Presence polling when the reader has no interrupt endpoint. */
  presencePollMs?: number;
  /** Power-on attempts when the card stays mute (a BLE reader needs 5 for G2.1 cards, egk-and-readers.md §5). */
  powerOnAttempts?: number;
}

const DEFAULTS = {
  slot: 0,
  responseTimeoutMs: 5_000,
  maxTimeExtensions: 60,
  maxCommandMs: 120_000,
  maxWtxPerApdu: 32,
  maxResponseLength: 65_538,
  presencePollMs: 1_000,
  powerOnAttempts: 3,
};

/** Errors after which the card must be powered again before the next APDU. */
const NEEDS_RECONNECT = new Set(['CARD_REMOVED', 'NO_CARD', 'READER_GONE', 'T1_PROTOCOL_ERROR', 'CLOSED', 'USB_TRANSFER_FAILED']);

/**
 * CardTransport over a WebUSB CCID reader. `new` is cheap; the device is
 * opened and claimed on first `open()`/`connect()`. APDU-level readers get
 * XfrBlock chaining, TPDU-level readers T=1 from lib/ccid/t1.
 */
export class WebUsbCcidTransport implements CardTransport {
  private readonly o: typeof DEFAULTS;
  private readonly usb?: UsbLike;
  private reader?: OpenedReader;
  private channel?: CcidChannel;
  private slot?: CcidSlot;
  private events?: SlotEvents;
  private poll?: ReturnType<typeof setInterval>;
  private exchange?: ApduExchange;
  private presence: CardPresence = 'no-reader';
  private listeners = new Set<(p: CardPresence) => void>();
  private opening?: Promise<void>;
  private closed = false;
  private readonly onDisconnect = (ev: UsbConnectionEventLike) => {
    if (ev.device === this.device) this.readerGone(new ReaderError('READER_GONE', 'the reader was unplugged'));
  };

  constructor(
    readonly device: UsbDeviceLike,
    options: WebUsbCcidOptions = {},
  ) {
    this.o = { ...DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof DEFAULTS;
    this.usb = options.usb ?? browserUsb();
  }

  get info(): CardTransportInfo {
    const c = this.reader?.classification;
    return {
      kind: 'webusb-ccid',
      readerName: this.reader?.name ?? readerName(this.device),
      maxApduLength: c ? c.maxCommandApdu : SHORT_APDU_MAX,
    };
  }

  /** What the driver decided about the reader (exchange level, limits, quirks); undefined before open(). */
  get classification(): InterfaceClassification | undefined {
    return this.reader?.classification;
  }

  /** Opens and claims the reader and starts presence tracking. Idempotent. */
  open(): Promise<void> {
    if (this.closed) return Promise.reject(new ReaderError('CLOSED', 'transport closed'));
    this.opening ??= this.doOpen().catch((e) => {
      this.opening = undefined;
      throw e;
    });
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    const reader = await openCcidReader(this.device);
    const c = reader.classification;
    if (this.o.slot > c.maxSlotIndex) throw new ReaderError('READER_UNSUPPORTED', 'no such slot', { details: { slot: this.o.slot } });
    this.reader = reader;
    this.channel = new CcidChannel(this.device, {
      interfaceNumber: reader.interfaceNumber,
      bulkIn: reader.bulkIn,
      bulkOut: reader.bulkOut,
      maxMessageLength: c.maxMessageLength,
      responseTimeoutMs: c.responseTimeoutMs ?? this.o.responseTimeoutMs,
      maxTimeExtensions: this.o.maxTimeExtensions,
      maxCommandMs: this.o.maxCommandMs,
    });
    this.slot = new CcidSlot(this.channel, this.o.slot);
    this.usb?.addEventListener('disconnect', this.onDisconnect);
    this.setPresence((await this.slot.status()) === 'absent' ? 'empty' : 'present');
    if (reader.interruptIn) {
      this.events = new SlotEvents(this.device, reader.interruptIn, c.maxSlotIndex, (m) => this.onInterrupt(m), (e) => this.onEventsEnd(e));
      this.events.start();
    } else {
      this.startPolling();
    }
  }

  private onInterrupt(m: InterruptMessage): void {
    if (m.type === 'hardware-error') {
      if (m.slot === this.o.slot) this.channel?.failPending(new ReaderError('CCID_HARDWARE_ERROR', 'reader hardware error', { details: { code: m.code } }));
      return;
    }
    const s = m.slots[this.o.slot];
    if (!s) return;
    if (!s.present || s.changed) this.cardChanged(s.present, s.changed);
  }

  private onEventsEnd(e: unknown): void {
    if (isReaderError(e, 'READER_GONE')) this.readerGone(e);
    else this.startPolling();
  }

  private startPolling(): void {
    if (this.poll || this.closed) return;
    this.poll = setInterval(() => {
      // Never poll between the links of an exchange: the channel serialises, but a status in between costs time.
      if (!this.slot || this.busy) return;
      this.slot.status().then(
        (s) => this.cardChanged(s !== 'absent'),
        (e) => isReaderError(e, 'READER_GONE') && this.readerGone(e),
      );
    }, this.o.presencePollMs);
  }

  private busy = false;

  private cardChanged(present: boolean, changed = false): void {
    const was = this.presence;
    if (present && changed && was === 'present') {
      // Pulled and re-inserted between two reports: a different card, or the same one reset.
      this.cardChanged(false);
      this.cardChanged(true);
      return;
    }
    if (!present) {
      this.exchange = undefined;
      this.channel?.failPending(new ReaderError('CARD_REMOVED', 'the card was removed'));
      this.setPresence('empty');
    } else if (was !== 'present') {
      this.exchange = undefined;
      this.setPresence('present');
    }
  }

  private readerGone(e: ReaderError): void {
    this.exchange = undefined;
    this.events?.stop();
    if (this.poll) clearInterval(this.poll);
    this.poll = undefined;
    this.channel?.close(e);
    this.setPresence('no-reader');
  }

  private setPresence(p: CardPresence): void {
    if (p === this.presence) return;
    this.presence = p;
    for (const l of [...this.listeners]) {
      try {
        l(p);
      } catch {
        // A listener's failure is its own business.
      }
    }
  }

  async connect(): Promise<Uint8Array> {
    await this.open();
    const slot = this.slot!;
    const reader = this.reader!;
    this.exchange = undefined;
    if ((await slot.status()) === 'absent') {
      this.setPresence('empty');
      throw new ReaderError('NO_CARD', 'no card in the reader');
    }
    let atrBytes: Uint8Array | undefined;
    for (let attempt = 1; !atrBytes; attempt++) {
      try {
        atrBytes = await slot.powerOn();
      } catch (e) {
        if (!isReaderError(e, 'CARD_MUTE') || attempt >= this.o.powerOnAttempts) throw e;
        await slot.powerOff().catch(() => undefined);
      }
    }
    this.setPresence('present');
    const atr = parseAtr(atrBytes);
    const c = reader.classification;
    this.exchange =
      c.exchangeLevel === 'tpdu'
        ? await startTpduExchange(slot, c, reader.ccid.features, atr, this.o)
        : new ApduLevelExchange(slot, c, this.o.maxResponseLength);
    return atrBytes;
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (this.closed) throw new ReaderError('CLOSED', 'transport closed');
    const exchange = this.exchange;
    if (!exchange) {
      throw new ReaderError(this.presence === 'present' ? 'NOT_CONNECTED' : this.presence === 'empty' ? 'NO_CARD' : 'READER_GONE', 'card not connected');
    }
    if (this.busy) throw new ReaderError('BUSY', 'one APDU at a time');
    const shape = commandShape(command);
    this.busy = true;
    try {
      const response = await exchange.transmit(command);
      if (response.length < 2) throw new ReaderError('MESSAGE_MALFORMED', 'response without status word', { details: { length: response.length } });
      if (response.length > (shape.ne ?? 0) + 2) {
        throw new ReaderError('RESPONSE_TOO_LARGE', 'the card returned more data than the command asked for', {
          details: { length: response.length, ne: shape.ne ?? 0 },
        });
      }
      return response;
    } catch (e) {
      const err = isReaderError(e) ? e : new ReaderError('USB_TRANSFER_FAILED', 'transmit failed', { cause: e });
      if (NEEDS_RECONNECT.has(err.code) && this.exchange === exchange) this.exchange = undefined;
      if (err.code === 'NO_CARD') throw new ReaderError('CARD_REMOVED', 'the card was removed', { cause: err });
      throw err;
    } finally {
      this.busy = false;
    }
  }

  onPresence(listener: (presence: CardPresence) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.events?.stop();
    if (this.poll) clearInterval(this.poll);
    this.usb?.removeEventListener('disconnect', this.onDisconnect);
    if (this.slot && this.exchange) await this.slot.powerOff().catch(() => undefined);
    this.exchange = undefined;
    this.channel?.close();
    if (this.reader) await this.device.releaseInterface(this.reader.interfaceNumber).catch(() => undefined);
    await this.device.close().catch(() => undefined);
    this.listeners.clear();
  }
}
