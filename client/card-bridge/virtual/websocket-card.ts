import { fromHex, toHex } from '../../../lib/bytes/hex';
import { ReaderError } from '../../../lib/ccid/errors';
import type { WebSocketLike } from '../loopback/bridge-client';
import type { VirtualCardPort } from './transport';

/**
 * A virtual card served over a WebSocket (a demo card server, or a test's
 * software eGK): requests `{"id":n,"op":"reset"}` / `{"id":n,"op":"transmit","apdu":"<hex>"}`,
 * answers `{"id":n,"atr":"<hex>"}` / `{"id":n,"apdu":"<hex>"}` / `{"id":n,"error":"<text>"}`.
 */
export function webSocketVirtualCard(ws: WebSocketLike, timeoutMs = 10_000): VirtualCardPort {
  let nextId = 1;
  const pending = new Map<number, { resolve: (v: { atr?: string; apdu?: string }) => void; reject: (e: ReaderError) => void }>();
  ws.addEventListener('message', (ev) => {
    if (typeof ev.data !== 'string' || ev.data.length > 140_000) return;
    let m: { id?: unknown; atr?: unknown; apdu?: unknown; error?: unknown };
    try {
      m = JSON.parse(ev.data);
    } catch {
      return;
    }
    const p = typeof m.id === 'number' ? pending.get(m.id) : undefined;
    if (!p) return;
    pending.delete(m.id as number);
    const hexOk = (v: unknown) => typeof v === 'string' && /^(?:[0-9A-Fa-f]{2})*$/.test(v);
    if (typeof m.error === 'string') p.reject(new ReaderError('CARD_MUTE', `virtual card: ${m.error.slice(0, 200)}`));
    else if (hexOk(m.atr) || hexOk(m.apdu)) p.resolve({ atr: m.atr as string | undefined, apdu: m.apdu as string | undefined });
    else p.reject(new ReaderError('MESSAGE_MALFORMED', 'virtual card sent garbage'));
  });
  ws.addEventListener('close', () => {
    for (const p of pending.values()) p.reject(new ReaderError('CARD_REMOVED', 'the virtual card went away'));
    pending.clear();
  });
  const call = (body: { op: 'reset' } | { op: 'transmit'; apdu: string }) =>
    new Promise<{ atr?: string; apdu?: string }>((resolve, reject) => {
      const id = nextId++;
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new ReaderError('TIMEOUT', 'virtual card did not answer'));
      }, timeoutMs);
      pending.set(id, {
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      ws.send(JSON.stringify({ id, ...body }));
    });
  return {
    async reset() {
      const r = await call({ op: 'reset' });
      if (!r.atr) throw new ReaderError('ATR_MALFORMED', 'virtual card sent no ATR');
      return fromHex(r.atr.toUpperCase());
    },
    async transmit(apdu) {
      const r = await call({ op: 'transmit', apdu: toHex(apdu) });
      if (!r.apdu || r.apdu.length < 4) throw new ReaderError('MESSAGE_MALFORMED', 'virtual card sent no response APDU');
      return fromHex(r.apdu.toUpperCase());
    },
  };
}
