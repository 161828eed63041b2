/**
 * Development only: the dashboard's "Virtueller Leser (Test)". A software eGK served over a
 * WebSocket in the protocol of client/card-bridge/virtual/websocket-card.ts, so a practice can
 * try the eGK check-in without a reader, bridge or pairing. Every socket is a fresh card
 * ("inserted"); closing it pulls the card. Not mounted in production (create.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { fromHex, toHex } from '../../lib/bytes/hex';
import { SoftwareEgk } from '../egk';
import { parseCookies } from '../identity/gesundheitsid';
import { resolveStaffSession, STAFF_COOKIE } from '../identity/staff-session';
import { interopPath } from '../testing/interop';
import type { Services } from './services';

export const DEV_VIRTUAL_CARD_PATH = '/dev/virtual-egk';

const MAX_FRAME = 140_000;
const MAX_SOCKETS = 16;

/** gematik's test eGK (the holder of the embedded IdP's Erika Mustermann) when present, else a valid card of the dev test PKI. */
export function devCardXml(testPkiDir: string): () => string {
  const gematik = interopPath('card-image', 'IMG_eGK_G21_TU_root6.xml');
  if (existsSync(gematik)) {
    const xml = readFileSync(gematik, 'utf8');
    return () => xml;
  }
  return () => {
    const index = JSON.parse(readFileSync(path.join(testPkiDir, 'trust.json'), 'utf8')) as { cards?: { file: string; state: string }[] };
    const valid = (index.cards ?? []).filter((c) => c.state === 'valid');
    if (valid.length === 0) throw new Error('no valid test card');
    return readFileSync(path.join(testPkiDir, valid[0].file), 'utf8');
  };
}

export function createDevVirtualCard(services: Services, testPkiDir: string) {
  const { env, db } = services;
  const cardXml = devCardXml(testPkiDir);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME });

  function serve(ws: WebSocket): void {
    let card: SoftwareEgk;
    try {
      card = SoftwareEgk.fromImageXml(cardXml());
    } catch {
      ws.close(1011, 'no card');
      return;
    }
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return;
      let m: { id?: unknown; op?: unknown; apdu?: unknown };
      try {
        m = JSON.parse(data.toString());
      } catch {
        return;
      }
      if (typeof m.id !== 'number') return;
      const reply = (body: Record<string, string>) => ws.send(JSON.stringify({ id: m.id, ...body }));
      if (m.op === 'reset') return reply({ atr: toHex(card.reset()) });
      if (m.op === 'transmit' && typeof m.apdu === 'string' && /^(?:[0-9A-Fa-f]{2}){4,}$/.test(m.apdu)) {
        return reply({ apdu: toHex(card.transmit(fromHex(m.apdu.toUpperCase()))) });
      }
      reply({ error: 'bad request' });
    });
    ws.on('error', () => ws.terminate());
  }

  return {
    handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
      const refuse = (status: string) => socket.end(`HTTP/1.1 ${status}\r\nConnection: close\r\n\r\n`);
      // Same gate as the eGK endpoint: a staff session from our own origin (no cross-site socket).
      const origin = req.headers.origin;
      if (!origin || !env.allowedOrigins.includes(origin)) return void refuse('403 Forbidden');
      if (wss.clients.size >= MAX_SOCKETS) return void refuse('503 Service Unavailable');
      resolveStaffSession(db, parseCookies(req.headers.cookie)[STAFF_COOKIE], services.now()).then(
        (staff) => (staff ? wss.handleUpgrade(req, socket, head, serve) : refuse('401 Unauthorized')),
        () => refuse('500 Internal Server Error'),
      );
    },
    async close(): Promise<void> {
      for (const c of wss.clients) c.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },
  };
}
