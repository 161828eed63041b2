import type { CardPresence, CardTransport, CardTransportInfo } from '../../../lib/card-transport/types';
import { EXTENDED_APDU_MAX } from '../../../lib/ccid/classify';
import { ReaderError, isReaderError } from '../../../lib/ccid/errors';

/**
 * A card behind the virtual reader: the software eGK in Node, or a remote one
 * over WebSocket in the browser (webSocketVirtualCard).
 */
export interface VirtualCardPort {
  reset(): Promise<Uint8Array> | Uint8Array;
  transmit(apdu: Uint8Array): Promise<Uint8Array> | Uint8Array;
}

/** Never shown without this label: the picker must not let a simulation pass for a real eGK. */
export const VIRTUAL_READER_LABEL = 'Virtuelles Lesegerät – Software-eGK (nur Test/Demo)';

/**
 * CardTransport for demos and tests: a virtual reader whose card is a
 * callback. `insert()`/`remove()` play card insertion and removal.
 */
export class VirtualReaderTransport implements CardTransport {
  private card?: VirtualCardPort;
  private connected = false;
  private listeners = new Set<(p: CardPresence) => void>();

  constructor(card?: VirtualCardPort, private readonly name = VIRTUAL_READER_LABEL) {
    this.card = card;
  }

  get info(): CardTransportInfo {
    return { kind: 'virtual', readerName: this.name, maxApduLength: EXTENDED_APDU_MAX };
  }

  insert(card: VirtualCardPort): void {
    this.card = card;
    this.connected = false;
    this.emit('present');
  }

  remove(): void {
    this.card = undefined;
    this.connected = false;
    this.emit('empty');
  }

  private emit(p: CardPresence): void {
    for (const l of [...this.listeners]) l(p);
  }

  async connect(): Promise<Uint8Array> {
    if (!this.card) throw new ReaderError('NO_CARD', 'no card in the virtual reader');
    const atr = await this.card.reset();
    this.connected = true;
    return atr;
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    const card = this.card;
    if (!card) throw new ReaderError('CARD_REMOVED', 'the card was removed');
    if (!this.connected) throw new ReaderError('NOT_CONNECTED', 'card not connected');
    try {
      const r = await card.transmit(command);
      if (this.card !== card) throw new ReaderError('CARD_REMOVED', 'the card was removed');
      return r;
    } catch (e) {
      if (isReaderError(e)) throw e;
      throw new ReaderError('CARD_MUTE', 'the virtual card failed', { cause: e });
    }
  }

  onPresence(listener: (presence: CardPresence) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.connected = false;
    this.listeners.clear();
  }
}
