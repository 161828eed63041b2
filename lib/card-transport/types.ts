/**
 * The one port between the PoPP client core and whatever reaches the card:
 * WebUSB CCID, Web Smart Card API, the loopback PC/SC bridge, the virtual reader
 * (software eGK) or, in tests, the software eGK directly.
 *
 * A transport deals in whole command/response APDUs (bytes incl. SW1 SW2);
 * T=1 blocks, CCID chaining and T=0 61xx/6Cxx handling stay below this line.
 */
export type CardPresence = 'no-reader' | 'empty' | 'present';

export interface CardTransportInfo {
  /** Which path reaches the reader, shown in the UI ("Lokale Brücke (PC/SC)", ...). */
  kind: 'webusb-ccid' | 'smartcard-api' | 'bridge' | 'virtual' | 'direct';
  readerName: string;
  /** Largest command APDU the path carries in one piece (extended length if > 261). */
  maxApduLength: number;
}

export interface CardTransport {
  readonly info: CardTransportInfo;
  /** Powers the card and returns its ATR. */
  connect(): Promise<Uint8Array>;
  /** Sends one command APDU and resolves with the full response APDU (data || SW1 SW2). */
  transmit(command: Uint8Array): Promise<Uint8Array>;
  /** Presence changes (card inserted/removed, reader gone). Returns an unsubscribe function. */
  onPresence(listener: (presence: CardPresence) => void): () => void;
  close(): Promise<void>;
}
