/**
 * A minimal Fachdienst in the style of E-Rezept's `GET /Task` (TI-Flow: token in `X-PoPP-Token`):
 * it serves a patient's data only when the caller presents a valid PoPP token that was issued
 * to the caller. The caller's Telematik-ID would come from its verified ZETA access token; this
 * example takes it from `X-Caller-Telematik-ID` to stay self-contained.
 */
import { createServer, type Server } from 'node:http';
import type { Verifier } from '../../server/verifier';

export interface Task {
  id: string;
  patientId: string;
  status: 'ready' | 'completed';
  medication: string;
}

export function createFachdienst(opts: { verifier: Verifier; tasks: Task[] }): Server {
  return createServer(async (req, res) => {
    const send = (status: number, body: unknown) =>
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' }).end(JSON.stringify(body));
    const url = new URL(req.url ?? '/', 'http://fachdienst');
    if (req.method !== 'GET' || url.pathname !== '/Task') return send(404, { code: 'not_found' });

    const caller = req.headers['x-caller-telematik-id'];
    if (typeof caller !== 'string' || !caller) return send(401, { code: 'unauthenticated' });
    const token = req.headers['x-popp-token'];
    if (typeof token !== 'string' || !token) return send(400, { code: 'popp_missing' });

    const r = await opts.verifier.verify(token, { profile: 'erezept', actorId: caller });
    // 403 with the stable code only; the token and its claims are never echoed or logged.
    if (!r.ok) return send(403, { code: r.code });

    const entries = opts.tasks.filter((t) => t.patientId === r.claims.patientId);
    return send(200, { resourceType: 'Bundle', type: 'searchset', total: entries.length, entry: entries.map((resource) => ({ resource })) });
  });
}
