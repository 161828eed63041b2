import { describe, expect, it } from 'vitest';
import { webSocketChannel, type WebSocketLike } from './channel';
import { isEhcClientError } from './errors';

/** A WHATWG-style socket whose events the test fires by hand. */
function fakeSocket(readyState = 0) {
  const listeners = new Map<string, Set<(e: unknown) => void>>();
  const sent: string[] = [];
  const socket: WebSocketLike & { fire(type: string, e?: unknown): void; sent: string[]; closed?: number } = {
    readyState,
    send: (t) => void sent.push(t),
    close(code) {
      socket.closed = code;
    },
    addEventListener: (type, l) => void (listeners.get(type) ?? listeners.set(type, new Set()).get(type)!).add(l as (e: unknown) => void),
    removeEventListener: (type, l) => void listeners.get(type)?.delete(l as (e: unknown) => void),
    fire: (type, e = {}) => listeners.get(type)?.forEach((l) => l(e)),
    sent,
  };
  return socket;
}

describe('webSocketChannel', () => {
  it('resolves on open and passes text frames, binary ones as null', async () => {
    const s = fakeSocket();
    const p = webSocketChannel(s);
    s.fire('open');
    const ch = await p;
    const got: (string | null)[] = [];
    ch.onMessage((t) => got.push(t));
    s.fire('message', { data: '{"a":1}' });
    s.fire('message', { data: new ArrayBuffer(2) });
    expect(got).toEqual(['{"a":1}', null]);
    ch.send('x');
    expect(s.sent).toEqual(['x']);
  });

  it('a refused handshake (error, then close 1006) is connect-failed, never an unhandled error', async () => {
    const s = fakeSocket();
    const p = webSocketChannel(s);
    s.fire('error', new Error('Unexpected server response: 401'));
    s.fire('close', { code: 1006 });
    const e = await p.catch((x) => x);
    expect(isEhcClientError(e, 'connect-failed')).toBe(true);
    expect(e.details).toEqual({ closeCode: 1006 });
  });

  it('an already open socket resolves at once', async () => {
    const s = fakeSocket(1);
    const ch = await webSocketChannel(s);
    const closes: Array<{ code: number; reason: string }> = [];
    const off = ch.onClose((c) => closes.push(c));
    s.fire('close', { code: 4001, reason: 'card-removed' });
    off();
    s.fire('close', { code: 1000 });
    expect(closes).toEqual([{ code: 4001, reason: 'card-removed' }]);
    ch.close(1000);
    expect(s.closed).toBe(1000);
  });
});
