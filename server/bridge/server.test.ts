/**
 * `popp bridge`'s WebSocket server with a virtual reader, driven through the
 * dashboard's own BridgeClient + LoopbackBridgeTransport over real sockets.
 */
import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BridgeClient, type WebSocketLike } from '../../client/card-bridge/loopback/bridge-client';
import { LoopbackBridgeTransport } from '../../client/card-bridge/loopback/transport';
import { fromHex, toHex } from '../../lib/bytes/hex';
import type { CardPresence } from '../../lib/card-transport/types';
import { startBridgeServer, type BridgeServer } from './server';
import { VIRTUAL_READER_NAME, VirtualBackend, type VirtualCard } from './virtual-backend';

const ORIGIN = 'http://localhost:3000';
const ATR = fromHex('3BD396FF81B1FE451F078081052D');
const card: VirtualCard = {
  reset: () => ATR,
  transmit: (apdu) => (apdu[1] === 0xa4 ? fromHex('9000') : fromHex('6D00')),
};

const cleanup: (() => unknown)[] = [];
afterEach(async () => {
  for (const f of cleanup.splice(0).reverse()) await f();
});

async function bridge(extra: Partial<Parameters<typeof startBridgeServer>[0]> = {}) {
  const backend = new VirtualBackend(card);
  const codes: string[] = [];
  const server = await startBridgeServer({ backend, port: 0, pairingCode: '123456', onPairingCode: (c) => codes.push(c), ...extra });
  cleanup.push(() => server.close());
  return { backend, server, codes };
}

function client(server: BridgeServer, opts: { code?: string; origin?: string | null } = {}) {
  const origin = opts.origin === undefined ? ORIGIN : opts.origin;
  const c = new BridgeClient({
    url: server.url,
    pairingCode: opts.code ?? '123 456',
    createSocket: (url) => new WebSocket(url, origin ? { origin } : {}) as unknown as WebSocketLike,
    reconnectInitialMs: 20,
    requestTimeoutMs: 2_000,
  });
  cleanup.push(() => c.close());
  return c;
}

const until = async (cond: () => boolean, ms = 2_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met');
    await new Promise((r) => setTimeout(r, 10));
  }
};

describe('popp bridge server', () => {
  it('pairs with the printed code and carries APDUs to the (labelled) virtual reader', async () => {
    const { server, codes } = await bridge();
    expect(codes).toEqual(['123456']);
    const c = client(server);
    await c.start();
    expect(c.readers).toEqual([{ name: VIRTUAL_READER_NAME, presence: 'present', virtual: true }]);
    const t = new LoopbackBridgeTransport(c, VIRTUAL_READER_NAME);
    expect(t.info).toMatchObject({ kind: 'bridge', readerName: VIRTUAL_READER_NAME });
    expect(toHex(await t.connect())).toBe(toHex(ATR));
    expect(t.info.maxApduLength).toBe(65544);
    expect(toHex(await t.transmit(fromHex('00A4040C')))).toBe('9000');
    await t.close();
  });

  it('refuses a wrong pairing code and rotates the code after five failures', async () => {
    const { server, codes } = await bridge({ pairingLockMs: 0 });
    for (let i = 0; i < 5; i++) {
      const c = client(server, { code: '000000' });
      await expect(c.start()).rejects.toMatchObject({ code: 'BRIDGE_PAIRING_FAILED' });
      expect(c.state).toBe('pairing-required');
    }
    expect(codes).toHaveLength(2);
    expect(server.pairingCode).toBe(codes[1]);
    await expect(client(server, { code: '123456' }).start()).rejects.toMatchObject({ code: 'BRIDGE_PAIRING_FAILED' });
    await client(server, { code: codes[1] }).start();
  });

  it('refuses foreign origins, missing origins and foreign Host headers before any message', async () => {
    const { server } = await bridge();
    await expect(client(server, { origin: 'https://evil.example' }).start()).rejects.toMatchObject({ code: 'BRIDGE_UNREACHABLE' });
    await expect(client(server, { origin: null }).start()).rejects.toMatchObject({ code: 'BRIDGE_UNREACHABLE' });
    const status = await new Promise<number>((resolve) => {
      const req = request({
        host: '127.0.0.1',
        port: server.port,
        headers: { host: `evil.example:${server.port}`, origin: ORIGIN, connection: 'Upgrade', upgrade: 'websocket', 'sec-websocket-version': '13', 'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==' },
      });
      req.on('response', (res) => resolve(res.statusCode ?? 0));
      req.on('error', () => resolve(-1));
      req.end();
    });
    expect(status === 403 || status === -1).toBe(true);
  });

  it('answers garbage with protocol errors and closes after three; oversized frames are cut off', async () => {
    const { server } = await bridge();
    const ws = new WebSocket(server.url, { origin: ORIGIN });
    const messages: string[] = [];
    const closed = new Promise<number>((resolve) => ws.on('close', (code) => resolve(code)));
    ws.on('message', (d) => messages.push(d.toString()));
    await new Promise((r) => ws.on('open', r));
    ws.send(JSON.stringify({ type: 'hello', v: 1, pairingCode: '123456' }));
    await until(() => messages.length === 1);
    ws.send('{not json');
    ws.send(JSON.stringify({ type: 'transmit', id: 1, reader: 'x', apdu: 'zz' }));
    ws.send(JSON.stringify({ type: 'transmit', id: 2, reader: 'x', apdu: '00A4040C', extra: { deep: 1 } })); // unknown keys are refused
    expect(await closed).toBe(4400);
    expect(messages.slice(1).map((m) => JSON.parse(m).code)).toContain('BRIDGE_PROTOCOL_ERROR');

    const big = new WebSocket(server.url, { origin: ORIGIN });
    const bigClosed = new Promise<number>((resolve) => big.on('close', (code) => resolve(code)));
    await new Promise((r) => big.on('open', r));
    big.send('x'.repeat(200 * 1024));
    expect(await bigClosed).toBe(1009);
  });

  it('reports card removal, fails the session, and works again with the next card', async () => {
    const { server, backend } = await bridge();
    const c = client(server);
    const t = new LoopbackBridgeTransport(c, VIRTUAL_READER_NAME);
    const seen: CardPresence[] = [];
    t.onPresence((p) => seen.push(p));
    await t.connect();
    backend.remove();
    await until(() => seen.includes('empty'));
    await expect(t.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: expect.stringMatching(/CARD_REMOVED|NOT_CONNECTED/) });
    await expect(t.connect()).rejects.toMatchObject({ code: 'NO_CARD' });
    backend.insert(card);
    await until(() => seen[seen.length - 1] === 'present');
    await t.connect();
    expect(toHex(await t.transmit(fromHex('00A4040C')))).toBe('9000');
  });

  it('reconnects after a network blip with its session token, without the code', async () => {
    const { server } = await bridge();
    const c = client(server);
    const states: string[] = [];
    c.onState((s) => states.push(s));
    const t = new LoopbackBridgeTransport(c, VIRTUAL_READER_NAME);
    const seen: CardPresence[] = [];
    t.onPresence((p) => seen.push(p));
    await t.connect();
    server.dropConnections();
    await until(() => states.includes('unreachable'));
    expect(seen).toContain('no-reader');
    await expect(t.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: expect.stringMatching(/BRIDGE_CLOSED|NOT_CONNECTED/) });
    await until(() => c.state === 'ready');
    await t.connect();
    expect(toHex(await t.transmit(fromHex('00A4040C')))).toBe('9000');
  });

  it('gives a reader to one page at a time', async () => {
    const { server } = await bridge();
    const a = new LoopbackBridgeTransport(client(server), VIRTUAL_READER_NAME);
    const b = new LoopbackBridgeTransport(client(server), VIRTUAL_READER_NAME);
    await a.connect();
    await expect(b.connect()).rejects.toMatchObject({ code: 'BUSY' });
    await a.close();
    await b.connect();
  });

  it('a stopped bridge is BRIDGE_UNREACHABLE for a new page', async () => {
    const { server } = await bridge();
    const url = server.url;
    await server.close();
    const c = new BridgeClient({ url, pairingCode: '123456', createSocket: (u) => new WebSocket(u, { origin: ORIGIN }) as unknown as WebSocketLike });
    cleanup.push(() => c.close());
    await expect(c.start()).rejects.toMatchObject({ code: 'BRIDGE_UNREACHABLE' });
  });
});
