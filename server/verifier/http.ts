/**
 * POST /api/v1/verify as a framework-free handler. A refused token is a 200 with
 * `valid: false` (the request was fine, the token was not); only a malformed request is a 400
 * problem+json. The token never appears in a response or a log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { TELEMATIK_ID_PATTERN } from '../popp/token/claims';
import { PROFILES, type Profile } from './profiles';
import type { Verifier } from './verifier';

export const VERIFY_PATH = '/api/v1/verify';
export const MAX_VERIFY_BODY_BYTES = 16 * 1024;

export const verifyRequestSchema = z
  .object({
    token: z.string().min(1),
    profile: z.enum(PROFILES),
    actorId: z.string().regex(TELEMATIK_ID_PATTERN).optional(),
  })
  .strict();

export interface PlainResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const json = (status: number, body: unknown, type = 'application/json'): PlainResponse => ({
  status,
  headers: { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' },
  body: JSON.stringify(body),
});
const problem = (status: number, code: string, title: string, detail?: string, extra: Record<string, string> = {}): PlainResponse => {
  const r = json(status, { type: 'about:blank', title, status, code, ...(detail ? { detail } : {}) }, 'application/problem+json');
  return { ...r, headers: { ...r.headers, ...extra } };
};

/** The transport-independent core: method, content type and raw body in, response out. */
export interface VerifyHttpOptions {
  /**
   * Profiles this endpoint offers (default all). A public endpoint should not offer `epa`:
   * its single-use marker would let anyone holding a token spend it before the ePA does.
   */
  profiles?: readonly Profile[];
}

export async function handleVerifyRequest(
  verifier: Verifier,
  req: { method: string; contentType?: string; body: string },
  opts: VerifyHttpOptions = {},
): Promise<PlainResponse> {
  if (req.method !== 'POST') return problem(405, 'method_not_allowed', 'Nur POST ist erlaubt.', undefined, { allow: 'POST' });
  if (!/^application\/json\s*(;|$)/i.test(req.contentType ?? '')) return problem(415, 'unsupported_media_type', 'Content-Type muss application/json sein.');
  if (Buffer.byteLength(req.body) > MAX_VERIFY_BODY_BYTES) return problem(413, 'payload_too_large', 'Anfrage ist zu groß.');
  let raw: unknown;
  try {
    raw = JSON.parse(req.body);
  } catch {
    return problem(400, 'malformed_request', 'Anfrage ist kein gültiges JSON.');
  }
  const parsed = verifyRequestSchema.safeParse(raw);
  if (!parsed.success) {
    const fields = [...new Set(parsed.error.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys.join(',') : String(i.path[0] ?? ''))))];
    return problem(400, 'malformed_request', 'Anfrage entspricht nicht dem Schema { token, profile, actorId? }.', `Felder: ${fields.join(', ')}`);
  }
  if (opts.profiles && !opts.profiles.includes(parsed.data.profile)) {
    return problem(400, 'profile_not_offered', `Profil ${parsed.data.profile} wird hier nicht angeboten (${opts.profiles.join(', ')}).`);
  }
  const r = await verifier.verify(parsed.data.token, { profile: parsed.data.profile, actorId: parsed.data.actorId });
  return r.ok ? json(200, { valid: true, claims: r.claims, validUntil: r.validUntil }) : json(200, { valid: false, code: r.code, reason: r.reason });
}

/** node:http adapter; reads at most MAX_VERIFY_BODY_BYTES before giving up. */
export function verifyHttpHandler(verifier: Verifier, opts: VerifyHttpOptions = {}): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    let out: PlainResponse;
    try {
      const body = await readBody(req, MAX_VERIFY_BODY_BYTES);
      if (body === null) out = problem(413, 'payload_too_large', 'Anfrage ist zu groß.');
      else out = await handleVerifyRequest(verifier, { method: req.method ?? 'GET', contentType: req.headers['content-type'], body }, opts);
    } catch {
      out = problem(400, 'malformed_request', 'Anfrage konnte nicht gelesen werden.');
    }
    if (!res.headersSent) res.writeHead(out.status, out.headers).end(out.body);
  };
}

function readBody(req: IncomingMessage, max: number): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    let done = false;
    req.on('data', (c: Buffer) => {
      if (done) return;
      total += c.length;
      if (total > max) {
        done = true;
        resolve(null);
        req.resume(); // drain without buffering
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!done) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', reject);
  });
}
