import type { CardPresence } from '../../../lib/card-transport/types';
import { ReaderError, isReaderErrorCode } from '../../../lib/ccid/errors';
import {
  BRIDGE_PROTOCOL_VERSION,
  CLOSE_PAIRING_FAILED,
  DEFAULT_BRIDGE_PORT,
  bridgeMessageSchema,
  normalisePairingCode,
  parseFrame,
  type BridgeClientMessage,
  type BridgeMessage,
  type BridgeReaderInfo,
} from './protocol';

/** What the client needs of a WebSocket: the browser's, or `ws` in Node tests. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open', l: () => void): void;
  addEventListener(type: 'message', l: (ev: { data: unknown }) => void): void;
  addEventListener(type: 'close', l: (ev: { code: number; reason: string }) => void): void;
  addEventListener(type: 'error', l: () => void): void;
}

export type BridgeState = 'idle' | 'connecting' | 'ready' | 'pairing-required' | 'unreachable' | 'closed';

export interface BridgeClientOptions {
  url?: string;
  /** Six digits as the user typed them (spaces and dashes are fine). */
  pairingCode?: string;
  /** From an earlier session (the page keeps it in sessionStorage). */
  sessionToken?: string;
  onSessionToken?: (token: string) => void;
  createSocket?: (url: string) => WebSocketLike;
  requestTimeoutMs?: number;
  reconnectInitialMs?: number;
  reconnectMaxMs?: number;
  /** Reconnect attempts after losing a paired bridge before giving up (state stays 'unreachable'); unbounded when absent. */
  maxReconnectAttempts?: number;
}

type RequestBody =
  | { type: 'list' }
  | { type: 'connect'; reader: string }
  | { type: 'transmit'; reader: string; apdu: string }
  | { type: 'disconnect'; reader: string };

interface Pending {
  resolve: (m: BridgeMessage) => void;
  reject: (e: ReaderError) => void;
  timer: ReturnType<typeof setTimeout>;
}

const OPEN = 1;

/** Rebuilds the bridge's error as a ReaderError with the same code. */
export function bridgeError(m: Extract<BridgeMessage, { type: 'error' }>): ReaderError {
  return new ReaderError(isReaderErrorCode(m.code) ? m.code : 'BRIDGE_PROTOCOL_ERROR', m.message, { details: { bridgeCode: m.code } });
}

/**
 * One WebSocket to `popp bridge`, shared by the transports of all its
 * readers: pairing, request/response matching by id, presence fan-out, and
 * reconnection with the session token when the bridge or the network blinks.
 */
export class BridgeClient {
  private ws?: WebSocketLike;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private stateListeners = new Set<(s: BridgeState) => void>();
  private presenceListeners = new Set<(reader: string, p: CardPresence, atr?: string) => void>();
  private readerListeners = new Set<(r: BridgeReaderInfo[]) => void>();
  private reconnectDelay: number;
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private reconnectAttempts = 0;
  private startWaiters: { resolve: () => void; reject: (e: ReaderError) => void }[] = [];
  private everReady = false;
  state: BridgeState = 'idle';
  readers: BridgeReaderInfo[] = [];

  constructor(private readonly o: BridgeClientOptions = {}) {
    this.reconnectDelay = o.reconnectInitialMs ?? 500;
  }

  get url(): string {
    return this.o.url ?? `ws://127.0.0.1:${DEFAULT_BRIDGE_PORT}`;
  }

  /** Sets the code the user typed; starts pairing again when the bridge asked for it. */
  setPairingCode(code: string): void {
    this.o.pairingCode = normalisePairingCode(code);
    this.o.sessionToken = undefined;
  }

  /** Whether a reconnect is scheduled; false in 'unreachable' means the client gave up until the next start(). */
  get reconnecting(): boolean {
    return this.reconnectTimer !== undefined;
  }

  /** Connects and pairs; resolves when the bridge welcomed us. A start also renews the reconnect attempts. */
  start(): Promise<void> {
    if (this.state === 'ready') return Promise.resolve();
    const p = new Promise<void>((resolve, reject) => this.startWaiters.push({ resolve, reject }));
    if (this.state !== 'connecting') {
      this.cancelReconnect();
      this.reconnectAttempts = 0;
      this.reconnectDelay = this.o.reconnectInitialMs ?? 500;
      this.open();
    }
    return p;
  }

  private cancelReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = undefined;
  }

  private setState(s: BridgeState): void {
    if (s === this.state) return;
    this.state = s;
    for (const l of [...this.stateListeners]) l(s);
  }

  private settleStart(error?: ReaderError): void {
    const waiters = this.startWaiters.splice(0);
    for (const w of waiters) (error ? w.reject(error) : w.resolve());
  }

  private open(): void {
    if (this.state === 'closed') return;
    this.setState('connecting');
    let ws: WebSocketLike;
    try {
      ws = this.o.createSocket ? this.o.createSocket(this.url) : (new WebSocket(this.url) as unknown as WebSocketLike);
    } catch (e) {
      this.lost(new ReaderError('BRIDGE_UNREACHABLE', 'cannot open the bridge connection', { cause: e }));
      return;
    }
    this.ws = ws;
    let welcomed = false;
    ws.addEventListener('open', () => {
      const code = this.o.pairingCode ? normalisePairingCode(this.o.pairingCode) : undefined;
      this.raw({
        type: 'hello',
        v: BRIDGE_PROTOCOL_VERSION,
        ...(this.o.sessionToken ? { sessionToken: this.o.sessionToken } : code ? { pairingCode: code } : {}),
      });
    });
    ws.addEventListener('message', (ev) => {
      const m = typeof ev.data === 'string' ? parseFrame(bridgeMessageSchema, ev.data) : undefined;
      if (!m) return; // a bridge speaking garbage is ignored; requests time out
      if (m.type === 'welcome') {
        welcomed = true;
        this.everReady = true;
        this.o.sessionToken = m.sessionToken;
        this.o.onSessionToken?.(m.sessionToken);
        this.reconnectDelay = this.o.reconnectInitialMs ?? 500;
        this.reconnectAttempts = 0;
        this.setReaders(m.readers);
        this.setState('ready');
        this.settleStart();
        return;
      }
      this.onMessage(m);
    });
    ws.addEventListener('close', (ev) => {
      if (this.ws !== ws) return;
      this.ws = undefined;
      if (ev.code === CLOSE_PAIRING_FAILED) {
        this.o.sessionToken = undefined;
        this.failAll(new ReaderError('BRIDGE_PAIRING_FAILED', 'the bridge did not accept the pairing code'));
        this.goneReaders();
        this.setState('pairing-required');
        this.settleStart(new ReaderError('BRIDGE_PAIRING_FAILED', 'the bridge did not accept the pairing code'));
        return;
      }
      this.lost(
        welcomed
          ? new ReaderError('BRIDGE_CLOSED', 'the bridge connection was lost', { details: { code: ev.code } })
          : new ReaderError('BRIDGE_UNREACHABLE', 'the bridge is not reachable (not running, or blocked by the browser)', {
              details: { code: ev.code },
            }),
      );
    });
    ws.addEventListener('error', () => undefined);
  }

  private lost(error: ReaderError): void {
    this.failAll(error);
    this.goneReaders();
    if (this.state === 'closed') return;
    // Reconnect only to a bridge we were paired with; a first attempt is up to the UI.
    // Scheduled before the state changes, so state listeners can read `reconnecting`.
    if (this.everReady && this.reconnectAttempts < (this.o.maxReconnectAttempts ?? Infinity)) {
      this.reconnectAttempts++;
      this.reconnectTimer = setTimeout(() => {
        this.reconnectTimer = undefined;
        this.open();
      }, this.reconnectDelay);
      this.reconnectDelay = Math.min(this.reconnectDelay * 2, this.o.reconnectMaxMs ?? 10_000);
    }
    this.setState('unreachable');
    this.settleStart(error);
  }

  private goneReaders(): void {
    const names = this.readers.map((r) => r.name);
    this.setReaders([]);
    for (const n of names) for (const l of [...this.presenceListeners]) l(n, 'no-reader');
  }

  private setReaders(r: BridgeReaderInfo[]): void {
    this.readers = r;
    for (const l of [...this.readerListeners]) l(r);
  }

  private onMessage(m: BridgeMessage): void {
    if (m.type === 'readers' && m.id === undefined) {
      this.setReaders(m.readers);
      return;
    }
    if (m.type === 'presence') {
      for (const l of [...this.presenceListeners]) l(m.reader, m.presence, m.atr);
      return;
    }
    if (!('id' in m) || m.id === undefined) return;
    const p = this.pending.get(m.id);
    if (!p) return;
    this.pending.delete(m.id);
    clearTimeout(p.timer);
    if (m.type === 'error') p.reject(bridgeError(m));
    else p.resolve(m);
  }

  private failAll(e: ReaderError): void {
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      p.reject(e);
      this.pending.delete(id);
    }
  }

  private raw(m: BridgeClientMessage): void {
    this.ws?.send(JSON.stringify(m));
  }

  request(body: RequestBody, timeoutMs = this.o.requestTimeoutMs ?? 30_000): Promise<BridgeMessage> {
    if (this.state !== 'ready' || !this.ws || this.ws.readyState !== OPEN) {
      return Promise.reject(new ReaderError('BRIDGE_CLOSED', 'no connection to the bridge'));
    }
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new ReaderError('TIMEOUT', 'the bridge did not answer in time', { details: { type: body.type } }));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
      this.raw({ ...body, id } as BridgeClientMessage);
    });
  }

  onState(l: (s: BridgeState) => void): () => void {
    this.stateListeners.add(l);
    return () => this.stateListeners.delete(l);
  }

  onPresence(l: (reader: string, p: CardPresence, atr?: string) => void): () => void {
    this.presenceListeners.add(l);
    return () => this.presenceListeners.delete(l);
  }

  onReaders(l: (r: BridgeReaderInfo[]) => void): () => void {
    this.readerListeners.add(l);
    return () => this.readerListeners.delete(l);
  }

  close(): void {
    this.setState('closed');
    this.cancelReconnect();
    this.failAll(new ReaderError('CLOSED', 'bridge client closed'));
    this.settleStart(new ReaderError('CLOSED', 'bridge client closed'));
    this.ws?.close(1000, 'bye');
    this.ws = undefined;
  }
}
