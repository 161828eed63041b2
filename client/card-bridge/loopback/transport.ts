import type { CardPresence, CardTransport, CardTransportInfo } from '../../../lib/card-transport/types';
import { fromHex, toHex } from '../../../lib/bytes/hex';
import { SHORT_APDU_MAX } from '../../../lib/ccid/classify';
import { ReaderError } from '../../../lib/ccid/errors';
import type { BridgeClient } from './bridge-client';

/**
 * CardTransport for one reader behind `popp bridge`. Several transports may
 * share one BridgeClient (one WebSocket, one pairing).
 */
export class LoopbackBridgeTransport implements CardTransport {
  private maxApduLength = SHORT_APDU_MAX;
  private connected = false;
  private unsubscribe: () => void;
  private listeners = new Set<(p: CardPresence) => void>();

  constructor(
    private readonly client: BridgeClient,
    readonly readerName: string,
  ) {
    this.unsubscribe = client.onPresence((reader, presence) => {
      if (reader !== this.readerName) return;
      if (presence !== 'present') this.connected = false;
      for (const l of [...this.listeners]) l(presence);
    });
  }

  get info(): CardTransportInfo {
    return { kind: 'bridge', readerName: this.readerName, maxApduLength: this.maxApduLength };
  }

  async connect(): Promise<Uint8Array> {
    await this.client.start();
    const m = await this.client.request({ type: 'connect', reader: this.readerName });
    if (m.type !== 'connected') throw new ReaderError('BRIDGE_PROTOCOL_ERROR', 'unexpected answer to connect', { details: { type: m.type } });
    this.maxApduLength = m.maxApduLength;
    this.connected = true;
    return fromHex(m.atr);
  }

  async transmit(command: Uint8Array): Promise<Uint8Array> {
    if (!this.connected) throw new ReaderError('NOT_CONNECTED', 'card not connected');
    try {
      const m = await this.client.request({ type: 'transmit', reader: this.readerName, apdu: toHex(command) });
      if (m.type !== 'response') throw new ReaderError('BRIDGE_PROTOCOL_ERROR', 'unexpected answer to transmit', { details: { type: m.type } });
      return fromHex(m.apdu);
    } catch (e) {
      if (e instanceof ReaderError && e.code !== 'TIMEOUT') this.connected = false;
      throw e;
    }
  }

  onPresence(listener: (presence: CardPresence) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async close(): Promise<void> {
    this.unsubscribe();
    this.listeners.clear();
    if (this.connected && this.client.state === 'ready') {
      await this.client.request({ type: 'disconnect', reader: this.readerName }, 5_000).catch(() => undefined);
    }
    this.connected = false;
  }
}
