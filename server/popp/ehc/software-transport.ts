import type { CardPresence, CardTransport } from '../../../lib/card-transport/types';

/** What a software eGK offers: one APDU in, one response out, and a cold reset (SoftwareEgk). */
export interface ApduCard {
  transmit(apdu: Uint8Array): Uint8Array;
  reset(): Uint8Array;
}

export interface SoftwareCardTransport extends CardTransport {
  /** Simulates pulling the card: presence goes to `empty`, further APDUs fail. */
  pull(): void;
  /** APDUs exchanged, for tests and round-trip counting. */
  readonly exchanges: number;
}

/**
 * A CardTransport over an in-process software eGK, for `popp card-check`, tests and the
 * bench. `intercept` may rewrite a response (tampering tests) before the client sees it.
 */
export function softwareCardTransport(
  card: ApduCard,
  opts: { readerName?: string; intercept?: (command: Uint8Array, response: Uint8Array) => Uint8Array } = {},
): SoftwareCardTransport {
  const listeners = new Set<(p: CardPresence) => void>();
  let present = true;
  let exchanges = 0;
  return {
    info: { kind: 'direct', readerName: opts.readerName ?? 'Software-eGK', maxApduLength: 65544 },
    async connect() {
      if (!present) throw new Error('no card');
      return card.reset();
    },
    async transmit(command) {
      if (!present) throw new Error('card removed');
      exchanges++;
      const response = card.transmit(command);
      return opts.intercept ? opts.intercept(command, response) : response;
    },
    onPresence(l) {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    async close() {},
    pull() {
      present = false;
      for (const l of listeners) l('empty');
    },
    get exchanges() {
      return exchanges;
    },
  };
}
