import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import { fromHex, toHex } from '../../lib/bytes/hex';
import { ReaderError, isReaderError } from '../../lib/ccid/errors';
import {
  BRIDGE_PROTOCOL_VERSION,
  CLOSE_HELLO_TIMEOUT,
  CLOSE_PAIRING_FAILED,
  CLOSE_PROTOCOL_ERROR,
  DEFAULT_BRIDGE_PORT,
  MAX_FRAME_BYTES,
  clientMessageSchema,
  parseFrame,
  type BridgeMessage,
  type BridgeReaderInfo,
} from '../../client/card-bridge/loopback/protocol';
import type { CardSession, ReaderBackend } from './backend';
import { DEFAULT_ALLOWED_ORIGINS, isAllowedOrigin, isLoopbackHost } from './origin';
import { Pairing } from './pairing';

export interface BridgeServerOptions {
  backend: ReaderBackend;
  /** 0 picks a free port (tests). */
  port?: number;
  allowedOrigins?: readonly string[];
  /** Non-browser clients send no Origin; allowed only when asked for (tests, local tools). */
  allowMissingOrigin?: boolean;
  pairingCode?: string;
  /** First lockout after five wrong codes, doubling per lockout (default 10 s; tests may set 0). */
  pairingLockMs?: number;
  helloTimeoutMs?: number;
  maxConnections?: number;
  /** Called with every pairing code, including replacements after failed attempts. */
  onPairingCode?: (code: string) => void;
  log?: (event: string, details?: Record<string, unknown>) => void;
}

export interface BridgeServer {
  port: number;
  url: string;
  readonly pairingCode: string;
  /** Drops every page connection without stopping (a network blip; pages reconnect with their token). */
  dropConnections(): void;
  close(): Promise<void>;
}

interface Connection {
  ws: WebSocket;
  paired: boolean;
  invalidFrames: number;
  sessions: Map<string, CardSession>;
  queue: Promise<unknown>;
}

const MAX_INVALID_FRAMES = 3;

function info(r: { name: string; presence: BridgeReaderInfo['presence']; atr?: Uint8Array; virtual?: boolean }): BridgeReaderInfo {
  return { name: r.name, presence: r.presence, ...(r.atr ? { atr: toHex(r.atr) } : {}), ...(r.virtual ? { virtual: true } : {}) };
}

/**
 * `popp bridge`'s WebSocket server on 127.0.0.1: origin and host checks at the
 * upgrade, pairing in the first message, then reader list, presence events,
 * connect/transmit/disconnect. A card session belongs to one page; when the
 * page goes, the card is reset.
 */
export async function startBridgeServer(opts: BridgeServerOptions): Promise<BridgeServer> {
  const allowed = opts.allowedOrigins ?? DEFAULT_ALLOWED_ORIGINS;
  const log = opts.log ?? (() => undefined);
  const pairing = new Pairing((code) => opts.onPairingCode?.(code), opts.pairingCode, 5, opts.pairingLockMs ?? 10_000);
  const connections = new Set<Connection>();
  const owners = new Map<string, Connection>();
  let port = opts.port ?? DEFAULT_BRIDGE_PORT;

  const send = (c: Connection, m: BridgeMessage) => {
    if (c.ws.readyState === c.ws.OPEN) c.ws.send(JSON.stringify(m));
  };
  const sendError = (c: Connection, id: number | undefined, e: unknown) => {
    const err = isReaderError(e) ? e : new ReaderError('PCSC_ERROR', 'bridge failure', { cause: e });
    send(c, { type: 'error', ...(id === undefined ? {} : { id }), code: err.code, message: err.message.slice(0, 500) });
  };

  const readers = () => opts.backend.readers().map(info);
  let lastReaders = JSON.stringify(readers());
  const unsubscribe = opts.backend.onChange(() => {
    const now = readers();
    const json = JSON.stringify(now);
    if (json === lastReaders) return;
    const before = new Map((JSON.parse(lastReaders) as BridgeReaderInfo[]).map((r) => [r.name, r]));
    lastReaders = json;
    for (const c of connections) {
      if (!c.paired) continue;
      send(c, { type: 'readers', readers: now });
      for (const r of now) {
        const b = before.get(r.name);
        if (!b || b.presence !== r.presence || b.atr !== r.atr) send(c, { type: 'presence', reader: r.name, presence: r.presence, ...(r.atr ? { atr: r.atr } : {}) });
      }
      for (const name of before.keys()) {
        if (!now.some((r) => r.name === name)) send(c, { type: 'presence', reader: name, presence: 'no-reader' });
      }
    }
    // A card that left its reader takes its session with it.
    for (const r of now) {
      if (r.presence !== 'present') dropSession(r.name);
    }
    for (const name of [...owners.keys()]) if (!now.some((r) => r.name === name)) dropSession(name);
  });

  function dropSession(reader: string): void {
    const owner = owners.get(reader);
    if (!owner) return;
    owners.delete(reader);
    const s = owner.sessions.get(reader);
    owner.sessions.delete(reader);
    void s?.disconnect().catch(() => undefined);
  }

  async function handle(c: Connection, raw: string): Promise<void> {
    const m = parseFrame(clientMessageSchema, raw);
    if (!m) {
      sendError(c, undefined, new ReaderError('BRIDGE_PROTOCOL_ERROR', 'invalid message'));
      if (++c.invalidFrames >= MAX_INVALID_FRAMES) c.ws.close(CLOSE_PROTOCOL_ERROR, 'protocol error');
      return;
    }
    if (!c.paired) {
      if (m.type !== 'hello') {
        sendError(c, undefined, new ReaderError('BRIDGE_PAIRING_FAILED', 'pair first'));
        c.ws.close(CLOSE_PAIRING_FAILED, 'not paired');
        return;
      }
      let token: string | undefined;
      if (m.sessionToken && pairing.tryToken(m.sessionToken)) token = m.sessionToken;
      else if (m.pairingCode) token = pairing.tryCode(m.pairingCode);
      if (!token) {
        log('pairing-failed');
        sendError(c, undefined, new ReaderError('BRIDGE_PAIRING_FAILED', 'wrong pairing code'));
        c.ws.close(CLOSE_PAIRING_FAILED, 'pairing failed');
        return;
      }
      c.paired = true;
      log('paired');
      send(c, { type: 'welcome', v: BRIDGE_PROTOCOL_VERSION, sessionToken: token, readers: readers() });
      return;
    }
    switch (m.type) {
      case 'hello':
        return;
      case 'list':
        send(c, { type: 'readers', id: m.id, readers: readers() });
        return;
      case 'connect': {
        const owner = owners.get(m.reader);
        if (owner && owner !== c) throw new ReaderError('BUSY', 'another page uses this reader');
        await c.sessions.get(m.reader)?.disconnect().catch(() => undefined);
        c.sessions.delete(m.reader);
        owners.delete(m.reader);
        const s = await opts.backend.connect(m.reader);
        if (c.ws.readyState !== c.ws.OPEN) {
          await s.disconnect().catch(() => undefined);
          return;
        }
        c.sessions.set(m.reader, s);
        owners.set(m.reader, c);
        send(c, { type: 'connected', id: m.id, reader: m.reader, atr: toHex(s.atr), protocol: s.protocol, maxApduLength: s.maxApduLength });
        return;
      }
      case 'transmit': {
        const s = c.sessions.get(m.reader);
        if (!s) {
          const present = opts.backend.readers().find((r) => r.name === m.reader)?.presence;
          throw new ReaderError(present === 'present' ? 'NOT_CONNECTED' : present === 'empty' ? 'CARD_REMOVED' : 'READER_GONE', 'no card session');
        }
        const response = await s.transmit(fromHex(m.apdu));
        send(c, { type: 'response', id: m.id, apdu: toHex(response) });
        return;
      }
      case 'disconnect': {
        const s = c.sessions.get(m.reader);
        c.sessions.delete(m.reader);
        if (owners.get(m.reader) === c) owners.delete(m.reader);
        await s?.disconnect();
        send(c, { type: 'done', id: m.id });
        return;
      }
    }
  }

  const http = createServer((req: IncomingMessage, res: ServerResponse) => {
    const origin = req.headers.origin;
    const cors = isAllowedOrigin(origin, allowed) ? { 'access-control-allow-origin': origin!, vary: 'origin' } : {};
    if (!isLoopbackHost(req.headers.host, port)) {
      res.writeHead(403).end();
      return;
    }
    if (req.method === 'OPTIONS') {
      // Older Chrome Private Network Access preflights for the status probe.
      res.writeHead(204, { ...cors, 'access-control-allow-private-network': 'true', 'access-control-allow-methods': 'GET' }).end();
      return;
    }
    if (req.method === 'GET' && req.url === '/status') {
      res.writeHead(200, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify({ bridge: 'popp', v: BRIDGE_PROTOCOL_VERSION }));
      return;
    }
    res.writeHead(426, { 'content-type': 'text/plain; charset=utf-8' }).end('PoPP-Brücke: nur WebSocket-Verbindungen vom Praxis-Dashboard.\n');
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_FRAME_BYTES });
  http.on('upgrade', (req, socket, head) => {
    const origin = req.headers.origin;
    const originOk = origin === undefined ? opts.allowMissingOrigin === true : isAllowedOrigin(origin, allowed);
    const full = connections.size >= (opts.maxConnections ?? 8);
    if (!isLoopbackHost(req.headers.host, port) || !originOk || full) {
      log('refused', { origin, host: req.headers.host, full });
      socket.end(`HTTP/1.1 ${full ? 503 : 403} ${full ? 'Service Unavailable' : 'Forbidden'}\r\nConnection: close\r\n\r\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => {
      const c: Connection = { ws, paired: false, invalidFrames: 0, sessions: new Map(), queue: Promise.resolve() };
      connections.add(c);
      const helloTimer = setTimeout(() => {
        if (!c.paired) ws.close(CLOSE_HELLO_TIMEOUT, 'hello timeout');
      }, opts.helloTimeoutMs ?? 30_000);
      ws.on('message', (data: RawData, isBinary: boolean) => {
        if (isBinary) {
          sendError(c, undefined, new ReaderError('BRIDGE_PROTOCOL_ERROR', 'text frames only'));
          if (++c.invalidFrames >= MAX_INVALID_FRAMES) ws.close(CLOSE_PROTOCOL_ERROR, 'protocol error');
          return;
        }
        const text = data.toString();
        // One request at a time per page keeps APDU order; the id lets the page match answers anyway.
        c.queue = c.queue.then(() =>
          handle(c, text).catch((e) => {
            const id = parseFrame(clientMessageSchema, text);
            sendError(c, id && 'id' in id ? id.id : undefined, e);
          }),
        );
      });
      ws.on('close', () => {
        clearTimeout(helloTimer);
        connections.delete(c);
        for (const reader of c.sessions.keys()) if (owners.get(reader) === c) dropSession(reader);
      });
      ws.on('error', () => ws.terminate());
    });
  });

  await new Promise<void>((resolve, reject) => {
    http.once('error', reject);
    http.listen(port, '127.0.0.1', () => resolve());
  });
  port = (http.address() as AddressInfo).port;
  opts.onPairingCode?.(pairing.current);
  log('listening', { port });

  return {
    port,
    url: `ws://127.0.0.1:${port}`,
    get pairingCode() {
      return pairing.current;
    },
    dropConnections() {
      for (const c of connections) c.ws.terminate();
    },
    async close() {
      unsubscribe();
      for (const reader of [...owners.keys()]) dropSession(reader);
      const closing = [...connections].map(
        (c) =>
          new Promise<void>((resolve) => {
            c.ws.once('close', () => resolve());
            c.ws.close(1001, 'bridge stopping');
            setTimeout(() => {
              c.ws.terminate();
              resolve();
            }, 200).unref();
          }),
      );
      await Promise.all(closing);
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
