/**
 * GET /api/gid/par: next-auth sends the browser here instead of the IdP's
 * authorization endpoint. We bind the login's nonce and state to the consent code,
 * push the authorisation request to the IdP (PAR, RFC 9126) and redirect to the
 * IdP with only client_id and request_uri, as gematik's sectoral IdPs demand.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { z } from 'zod';
import { bindLoginToCode } from '../checkin/consent';
import { CONSENT_CODE_PATTERN } from '../checkin/consent-code';
import type { RecordDeps } from '../checkin/records';
import { isPoppError } from '../../lib/errors';

const parQuery = z.object({
  client_id: z.string().min(1).max(300),
  scope: z.string().min(1).max(500),
  response_type: z.literal('code'),
  redirect_uri: z.string().url().max(500),
  // next-auth makes both as base64url; anything else (control characters for log injection) is refused.
  state: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  nonce: z.string().regex(/^[A-Za-z0-9_-]{16,128}$/),
  code_challenge: z.string().regex(/^[A-Za-z0-9_-]{43,128}$/),
  code_challenge_method: z.literal('S256'),
  acr_values: z.string().min(1).max(200),
  prompt: z.literal('login'),
  max_age: z.literal('0'),
  consent_code: z.string().regex(CONSENT_CODE_PATTERN),
});

export interface ParDeps extends RecordDeps {
  /** What this relying party asks for; a query that differs was not made by our next-auth. */
  expected: { clientId: string; redirectUri: string; scope: string; acrValues: string };
  limitClient(): boolean;
  limitCode(code: string): boolean;
  parEndpoint: string;
  authorizationEndpoint: string;
  publicUrl: string;
  fetch?: typeof fetch;
}

export async function handleParRoute(deps: ParDeps, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const raw = Object.fromEntries(url.searchParams);
  const parsed = parQuery.safeParse(raw);
  const back = (code: string | undefined, error: string) => {
    const target = code && CONSENT_CODE_PATTERN.test(code) ? `${deps.publicUrl}/c/${code}?fehler=${encodeURIComponent(error)}` : `${deps.publicUrl}/?fehler=${encodeURIComponent(error)}`;
    res.writeHead(303, { location: target, 'cache-control': 'no-store' }).end();
  };
  if (!parsed.success) return back(raw.consent_code, 'LOGIN_REQUEST_INVALID');
  const q = parsed.data;
  const e = deps.expected;
  if (q.client_id !== e.clientId || q.redirect_uri !== e.redirectUri || q.scope !== e.scope || q.acr_values !== e.acrValues) {
    return back(q.consent_code, 'LOGIN_REQUEST_INVALID');
  }
  if (!deps.limitClient() || !deps.limitCode(q.consent_code)) return back(q.consent_code, 'TOO_MANY_ATTEMPTS');
  try {
    await bindLoginToCode(deps, q.consent_code, q.nonce, q.state);
  } catch (e) {
    return back(q.consent_code, isPoppError(e) ? e.code : 'INTERNAL');
  }
  const { consent_code: _c, ...forward } = q;
  let requestUri: string;
  try {
    const r = await (deps.fetch ?? fetch)(deps.parEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(forward).toString(),
      signal: AbortSignal.timeout(5000),
    });
    const body = (await r.json()) as { request_uri?: string };
    if (!r.ok || typeof body.request_uri !== 'string') throw new Error(`PAR ${r.status}`);
    requestUri = body.request_uri;
  } catch {
    return back(q.consent_code, 'IDP_UNAVAILABLE');
  }
  const target = new URL(deps.authorizationEndpoint);
  target.searchParams.set('client_id', q.client_id);
  target.searchParams.set('request_uri', requestUri);
  res.writeHead(303, { location: target.toString(), 'cache-control': 'no-store' }).end();
}
