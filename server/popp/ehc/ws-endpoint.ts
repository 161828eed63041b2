import { randomUUID } from 'node:crypto';
import { STATUS_CODES, type IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type RawData, type WebSocket } from 'ws';
import type { EhcDeps } from './deps';
import type { EhcFlow } from './flow-types';
import { EhcSession } from './session';

/**
 * The WebSocket side of the endpoint: handshake checks, authentication, frame
 * limits, one EhcSession per socket. The card conversation comes in as a flow
 * factory, so plumbing tests can run it without cards.
 */
/** gematik's path for the eGK WebSocket (I_PoPP_Token_Generation.yaml). */
export const EHC_PATH = '/popp/practitioner/api/v1/token-generation-ehc';

export interface EhcEndpoint {
  /** For upgrade requests on EHC_PATH; answers 426 / 400 / 404 / 401 itself when it refuses. */
  handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void;
  /** Refuses new upgrades, ends open sessions (Error 79100, close 1001) and waits up to 2 s for the sockets. */
  close(): Promise<void>;
  stats(): { sessions: number };
}

function refuse(socket: Duplex, status: number, extra: Record<string, string> = {}): void {
  if (!socket.writable) return void socket.destroy();
  const headers = Object.entries({ Connection: 'close', 'Content-Length': '0', ...extra })
    .map(([k, v]) => `${k}: ${v}\r\n`)
    .join('');
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${headers}\r\n`);
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((n, b) => n + b.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}

/** The endpoint over any flow: the card conversation is swapped out in plumbing tests. */
export function createEhcEndpointWithFlow(deps: EhcDeps, createFlow: () => EhcFlow): EhcEndpoint {
  const { config } = deps;
  // Above maxFrameBytes a frame is answered with 79511; ws itself cuts off anything past twice that
  // (close 1009) before buffering it, so no client can make us hold more per socket.
  const wss = new WebSocketServer({ noServer: true, maxPayload: config.maxFrameBytes * 2, perMessageDeflate: false, clientTracking: true });
  const sessions = new Map<string, { session: EhcSession; ws: WebSocket; actorId: string }>();
  // A practice has a handful of card readers; each session costs a brainpool key pair up front.
  const perActor = config.maxSessionsPerActor ?? 32;
  const total = config.maxSessions ?? 5_000;
  const openFor = (actorId: string) => {
    let n = 0;
    for (const s of sessions.values()) if (s.actorId === actorId) n++;
    return n;
  };
  const pending = new Set<Duplex>();
  let closing = false;

  const refused = (socket: Duplex, status: number, extra?: Record<string, string>) => {
    deps.log?.({ event: 'ehc.upgrade-refused', status });
    refuse(socket, status, extra);
  };

  function accept(ws: WebSocket, actor: NonNullable<Awaited<ReturnType<EhcDeps['authenticate']>>>): void {
    const id = randomUUID();
    const io = {
      send: (text: string) => ws.send(text),
      close: (code: number) => ws.close(code),
    };
    const session = new EhcSession(id, actor, deps, createFlow, io, (s) => sessions.delete(s.id));
    sessions.set(id, { session, ws, actorId: actor.telematikId });
    deps.log?.({ event: 'ehc.session-start', sessionId: id });
    let oversize = false;
    ws.on('message', (data: RawData, isBinary: boolean) => {
      const n = byteLength(data);
      session.onFrame(isBinary ? null : Buffer.isBuffer(data) ? data.toString('utf8') : Buffer.concat(data as Buffer[]).toString('utf8'), n);
    });
    ws.on('error', (err: Error & { code?: string }) => {
      if (err.code === 'WS_ERR_UNSUPPORTED_MESSAGE_LENGTH') oversize = true;
    });
    ws.on('close', () => session.onClosed(oversize ? 'frame-too-large' : 'client-closed'));
  }

  return {
    handleUpgrade(req, socket, head) {
      socket.on('error', () => socket.destroy());
      if (closing) return refused(socket, 503);
      if (req.headers['sec-websocket-version'] !== '13') return refused(socket, 426, { 'Sec-WebSocket-Version': '13' });
      const key = req.headers['sec-websocket-key'];
      const upgrade = req.headers.upgrade?.toLowerCase();
      if (req.method !== 'GET' || upgrade !== 'websocket' || typeof key !== 'string' || !/^[A-Za-z0-9+/]{22}==$/.test(key)) {
        return refused(socket, 400);
      }
      // In production a card token needs the full decision (TSL, OCSP, hash DB), never the development check.
      if (config.production && !deps.trust.fullTrustDecision) return refused(socket, 404);
      pending.add(socket);
      deps
        .authenticate(req)
        .then((actor) => {
          pending.delete(socket);
          if (socket.destroyed) return;
          if (closing) return refused(socket, 503);
          if (!actor) return refused(socket, 401);
          if (sessions.size >= total || openFor(actor.telematikId) >= perActor) return refused(socket, 503, { 'Retry-After': '5' });
          wss.handleUpgrade(req, socket, head, (ws) => accept(ws, actor));
        })
        .catch(() => {
          pending.delete(socket);
          refused(socket, 500);
        });
    },

    async close() {
      closing = true;
      for (const s of pending) s.destroy();
      pending.clear();
      for (const { session } of [...sessions.values()]) session.shutdown();
      // Sockets still in their closing handshake (including sessions that ended just before) get 2 s.
      const open = [...wss.clients].map((ws) => new Promise<void>((resolve) => (ws.readyState === ws.CLOSED ? resolve() : ws.once('close', () => resolve()))));
      const grace = new Promise<void>((resolve) => setTimeout(resolve, 2000).unref());
      await Promise.race([Promise.all(open), grace]);
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((resolve) => wss.close(() => resolve()));
    },

    stats: () => ({ sessions: sessions.size }),
  };
}
