import { describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { fromHex, toHex } from '../../../lib/bytes/hex';
import type { WebSocketLike } from '../loopback/bridge-client';
import { VirtualReaderTransport } from './transport';
import { webSocketVirtualCard } from './websocket-card';

const card = { reset: () => fromHex('3B909681B1FE451F0391'), transmit: (a: Uint8Array) => (a[1] === 0xa4 ? fromHex('9000') : fromHex('6D00')) };

describe('VirtualReaderTransport', () => {
  it('is labelled as virtual and plays insertion and removal', async () => {
    const t = new VirtualReaderTransport(card);
    expect(t.info.kind).toBe('virtual');
    expect(t.info.readerName).toMatch(/nur Test\/Demo/);
    const seen: string[] = [];
    t.onPresence((p) => seen.push(p));
    await t.connect();
    expect(toHex(await t.transmit(fromHex('00A4040C')))).toBe('9000');
    t.remove();
    await expect(t.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: 'CARD_REMOVED' });
    await expect(t.connect()).rejects.toMatchObject({ code: 'NO_CARD' });
    t.insert(card);
    await expect(t.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: 'NOT_CONNECTED' });
    await t.connect();
    expect(seen).toEqual(['empty', 'present']);
  });

  it('reaches a card over a WebSocket and refuses garbage from it', async () => {
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1' });
    let garbage = false;
    wss.on('connection', (s) =>
      s.on('message', (d) => {
        const m = JSON.parse(d.toString());
        if (garbage) return s.send(JSON.stringify({ id: m.id, apdu: 'xyz' }));
        s.send(JSON.stringify(m.op === 'reset' ? { id: m.id, atr: toHex(card.reset()) } : { id: m.id, apdu: toHex(card.transmit(fromHex(m.apdu))) }));
      }),
    );
    await new Promise((r) => wss.once('listening', r));
    const ws = new WebSocket(`ws://127.0.0.1:${(wss.address() as { port: number }).port}`);
    await new Promise((r) => ws.once('open', r));
    const t = new VirtualReaderTransport(webSocketVirtualCard(ws as unknown as WebSocketLike, 1_000));
    expect(toHex(await t.connect())).toBe('3B909681B1FE451F0391');
    expect(toHex(await t.transmit(fromHex('00A4040C')))).toBe('9000');
    garbage = true;
    await expect(t.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: 'MESSAGE_MALFORMED' });
    ws.close();
    await new Promise<void>((r) => wss.close(() => r()));
  });
});
