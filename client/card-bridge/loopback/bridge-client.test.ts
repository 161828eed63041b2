import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { BridgeClient, type BridgeState, type WebSocketLike } from './bridge-client';
import { BRIDGE_PROTOCOL_VERSION, CLOSE_PAIRING_FAILED } from './protocol';

type Listener = (ev: any) => void;

/** A socket the test drives: `up` decides whether the next one is welcomed, refused or never reached. */
class FakeSocket {
  readyState = 0;
  private listeners = new Map<string, Listener[]>();
  sent: string[] = [];
  addEventListener(type: string, l: Listener): void {
    this.listeners.set(type, [...(this.listeners.get(type) ?? []), l]);
  }
  emit(type: string, ev?: unknown) {
    for (const l of this.listeners.get(type) ?? []) l(ev);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close(code = 1000, reason = '') {
    this.readyState = 3;
    this.emit('close', { code, reason });
  }
}

const TOKEN = 'A'.repeat(43);

describe('BridgeClient reconnects', () => {
  let bridge: 'up' | 'down' | 'restarted';
  let sockets: FakeSocket[];
  let states: BridgeState[];
  let client: BridgeClient;

  beforeEach(() => {
    vi.useFakeTimers();
    bridge = 'up';
    sockets = [];
    states = [];
    client = new BridgeClient({
      pairingCode: '123456',
      reconnectInitialMs: 100,
      maxReconnectAttempts: 3,
      createSocket: () => {
        const ws = new FakeSocket();
        sockets.push(ws);
        queueMicrotask(() => {
          if (bridge === 'down') return ws.close(1006);
          ws.readyState = 1;
          ws.emit('open');
          if (bridge === 'restarted') return ws.close(CLOSE_PAIRING_FAILED, 'not paired');
          ws.emit('message', { data: JSON.stringify({ type: 'welcome', v: BRIDGE_PROTOCOL_VERSION, sessionToken: TOKEN, readers: [] }) });
        });
        return ws as unknown as WebSocketLike;
      },
    });
    client.onState((s) => states.push(s));
  });

  afterEach(() => {
    client.close();
    vi.useRealTimers();
  });

  it('gives up after the bounded attempts, and a later start() tries again', async () => {
    await client.start();
    bridge = 'down';
    sockets.at(-1)!.close(1001, 'bridge stopping');
    expect(client.state).toBe('unreachable');
    expect(client.reconnecting).toBe(true);
    await vi.runAllTimersAsync();
    expect(sockets).toHaveLength(1 + 3);
    expect(client.state).toBe('unreachable');
    expect(client.reconnecting).toBe(false);

    bridge = 'up';
    await client.start();
    expect(client.state).toBe('ready');
  });

  it('ends in pairing-required when a restarted bridge refuses the session', async () => {
    await client.start();
    bridge = 'restarted';
    sockets.at(-1)!.close(1001, 'bridge stopping');
    await vi.runAllTimersAsync();
    expect(client.state).toBe('pairing-required');
    expect(client.reconnecting).toBe(false);
    expect(states.slice(-2)).toEqual(['connecting', 'pairing-required']);
  });
});
