import { EhcClientError } from './errors';

/**
 * The client core's port to the service: one ordered, reliable text-message channel
 * (a WebSocket in every real use). Binary frames are handed over as `null` so that
 * the core can refuse them instead of the adapter guessing.
 */
export interface MessageChannel {
  send(text: string): void;
  /** Closes from our side; `code` 4000–4999 carry the client's reason (see CLOSE_CODES). */
  close(code?: number, reason?: string): void;
  onMessage(listener: (text: string | null) => void): () => void;
  onClose(listener: (info: { code: number; reason: string }) => void): () => void;
}

/** Close codes the client core uses; the service treats every close the same way (session ends, no token). */
export const CLOSE_CODES = {
  done: 1000,
  cardRemoved: 4001,
  cardError: 4002,
  protocolError: 4003,
  timeout: 4004,
  aborted: 4005,
} as const;

/**
 * The subset of the WHATWG WebSocket that both browsers and the `ws` package
 * implement (ws turns text frames into strings for `addEventListener` listeners).
 */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  addEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void;
  removeEventListener(type: 'open' | 'message' | 'close' | 'error', listener: (event: never) => void): void;
}

const OPEN = 1;

/**
 * Wraps an opened or opening WebSocket. Resolves once it is open; rejects with the
 * close code if the handshake fails (401, 426 … arrive as an error + close 1006).
 */
export function webSocketChannel(socket: WebSocketLike): Promise<MessageChannel> {
  // An 'error' is always followed by 'close', which is what we act on; in Node (ws) an
  // 'error' nobody listens to would be thrown instead (e.g. a handshake answered 401).
  socket.addEventListener('error', () => {});
  const channel: MessageChannel = {
    send: (text) => socket.send(text),
    close: (code, reason) => socket.close(code, reason),
    onMessage(listener) {
      const l = (ev: { data: unknown }) => listener(typeof ev.data === 'string' ? ev.data : null);
      socket.addEventListener('message', l as (e: never) => void);
      return () => socket.removeEventListener('message', l as (e: never) => void);
    },
    onClose(listener) {
      const l = (ev: { code?: number; reason?: string }) => listener({ code: ev.code ?? 1006, reason: ev.reason ?? '' });
      socket.addEventListener('close', l as (e: never) => void);
      return () => socket.removeEventListener('close', l as (e: never) => void);
    },
  };
  if (socket.readyState === OPEN) return Promise.resolve(channel);
  return new Promise((resolve, reject) => {
    const cleanup = () => {
      socket.removeEventListener('open', onOpen as (e: never) => void);
      socket.removeEventListener('close', onClose as (e: never) => void);
    };
    const onOpen = () => {
      cleanup();
      resolve(channel);
    };
    const onClose = (ev: { code?: number }) => {
      cleanup();
      reject(new EhcClientError('connect-failed', 'WebSocket could not be opened', { details: { closeCode: ev.code ?? 1006 } }));
    };
    socket.addEventListener('open', onOpen as (e: never) => void);
    socket.addEventListener('close', onClose as (e: never) => void);
  });
}
