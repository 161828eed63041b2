import type { CardPresence } from '../../lib/card-transport/types';
import { EXTENDED_APDU_MAX } from '../../lib/ccid/classify';
import { ReaderError } from '../../lib/ccid/errors';
import type { BackendReader, CardSession, ReaderBackend } from './backend';

/** A card the virtual reader can hold: the software eGK fits (`reset()` gives the ATR). */
export interface VirtualCard {
  reset(): Uint8Array | Promise<Uint8Array>;
  transmit(apdu: Uint8Array): Uint8Array | Promise<Uint8Array>;
}

/** Never to be mistaken for a real reader: the name says what it is. */
export const VIRTUAL_READER_NAME = 'PoPP Virtuelles Lesegerät (Software-eGK, nur Test/Demo)';

/**
 * One virtual reader with a software card, for demos and tests of the bridge
 * without PC/SC. `insert`/`remove` simulate the card going in and out.
 */
export class VirtualBackend implements ReaderBackend {
  private card?: VirtualCard;
  private listeners = new Set<() => void>();
  private generation = 0;

  constructor(
    card?: VirtualCard,
    readonly name = VIRTUAL_READER_NAME,
  ) {
    this.card = card;
  }

  insert(card: VirtualCard): void {
    this.card = card;
    this.generation++;
    this.changed();
  }

  remove(): void {
    this.card = undefined;
    this.generation++;
    this.changed();
  }

  private changed(): void {
    for (const l of [...this.listeners]) l();
  }

  readers(): BackendReader[] {
    const presence: CardPresence = this.card ? 'present' : 'empty';
    return [{ name: this.name, presence, virtual: true }];
  }

  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async connect(readerName: string): Promise<CardSession> {
    if (readerName !== this.name) throw new ReaderError('READER_GONE', 'no such reader', { details: { readerName } });
    const card = this.card;
    if (!card) throw new ReaderError('NO_CARD', 'no card in the virtual reader');
    const generation = this.generation;
    const atr = await card.reset();
    let open = true;
    return {
      atr,
      protocol: 'T1',
      maxApduLength: EXTENDED_APDU_MAX,
      transmit: async (apdu) => {
        if (!open) throw new ReaderError('NOT_CONNECTED', 'session closed');
        if (this.generation !== generation || !this.card) throw new ReaderError('CARD_REMOVED', 'the card was removed');
        return card.transmit(apdu);
      },
      disconnect: async () => {
        open = false;
      },
    };
  }

  async close(): Promise<void> {
    this.listeners.clear();
  }
}
