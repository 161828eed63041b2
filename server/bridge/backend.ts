import type { CardPresence } from '../../lib/card-transport/types';

/**
 * What `popp bridge` serves readers from: PC/SC on the practice PC, or a
 * clearly labelled virtual reader for demos and tests. The WebSocket server
 * only talks to this interface.
 */
export interface BackendReader {
  name: string;
  presence: CardPresence;
  atr?: Uint8Array;
  virtual?: boolean;
}

export interface CardSession {
  atr: Uint8Array;
  protocol: 'T0' | 'T1';
  /** Largest command APDU the reader carries (261 when only short APDUs are known to work). */
  maxApduLength: number;
  /** One APDU, with T=0 GET RESPONSE / Le correction already applied. */
  transmit(apdu: Uint8Array): Promise<Uint8Array>;
  /** Ends the session and resets the card, so no secure-messaging state survives. */
  disconnect(): Promise<void>;
}

export interface ReaderBackend {
  readers(): BackendReader[];
  /** Called on any change of the reader list or a reader's presence. */
  onChange(listener: () => void): () => void;
  connect(readerName: string): Promise<CardSession>;
  close(): Promise<void>;
}
