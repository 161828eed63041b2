/**
 * GesundheitsID login of the insured person, with next-auth 4 as the OpenID Connect
 * client. Kept behind this module: gematik's draft may make the ZETA authorization
 * server the relying party instead, and then only `readInsuredIdentity` changes
 * (it would trust x-kvnr/x-iknr from the PEP).
 *
 * next-auth lacks PAR, so `authorization.url` points at our own route
 * (/api/gid/par, see par-route.ts), which binds the login to the consent code and
 * pushes the request to the IdP.
 */
import type { IncomingMessage } from 'node:http';
import type { NextAuthOptions } from 'next-auth';
import { getToken } from 'next-auth/jwt';
import type { InsuredIdentity } from '../checkin/consent';

export const GID_PROVIDER_ID = 'gesundheitsid';
export const GID_SCOPE = 'openid urn:telematik:versicherter urn:telematik:display_name';

/** What the custom server hands to the Next.js part through the environment (same process). */
export interface GidClientConfig {
  issuer: string;
  clientId: string;
  tokenEndpoint: string;
  jwksUri: string;
  parRoute: string;
  requiredAcr: string;
  encryptionJwk: Record<string, string>;
  secret: string;
}

export const GID_ENV = 'POPP_GID_CLIENT';

export function gidConfigFromEnv(): GidClientConfig {
  const raw = process.env[GID_ENV];
  if (!raw) throw new Error(`${GID_ENV} fehlt: die App muss über server/main.ts gestartet werden (npm start).`);
  return JSON.parse(raw) as GidClientConfig;
}

type GidProfile = Record<string, unknown> & { sub: string };

export function gesundheitsIdAuthOptions(cfg: GidClientConfig = gidConfigFromEnv()): NextAuthOptions {
  return {
    secret: cfg.secret,
    // next-auth's own logging prints request values (nonces, state, stack traces): only its error code is kept.
    logger: {
      error: (code) => console.error(`[gesundheitsid] Anmeldefehler ${logSafe(code)}`),
      warn: (code) => console.warn(`[gesundheitsid] Hinweis ${logSafe(code)}`),
      debug: () => undefined,
    },
    // Short: the session only carries one fresh login to one consent screen.
    session: { strategy: 'jwt', maxAge: 15 * 60 },
    providers: [
      {
        id: GID_PROVIDER_ID,
        name: 'GesundheitsID',
        type: 'oauth',
        idToken: true,
        issuer: cfg.issuer,
        clientId: cfg.clientId,
        authorization: {
          url: cfg.parRoute,
          params: { scope: GID_SCOPE, acr_values: cfg.requiredAcr, prompt: 'login', max_age: 0 },
        },
        token: cfg.tokenEndpoint,
        jwks_endpoint: cfg.jwksUri,
        checks: ['pkce', 'state', 'nonce'],
        client: {
          token_endpoint_auth_method: 'none',
          id_token_signed_response_alg: 'ES256',
          id_token_encrypted_response_alg: 'ECDH-ES',
          id_token_encrypted_response_enc: 'A256GCM',
          require_auth_time: true,
        },
        jwks: { keys: [cfg.encryptionJwk] },
        profile(p: GidProfile) {
          return { id: p.sub, name: String(p['urn:telematik:claims:display_name'] ?? '') };
        },
      } as never,
    ],
    callbacks: {
      jwt({ token, profile }) {
        if (profile) {
          const p = profile as GidProfile;
          token.gid = {
            kvnr: String(p['urn:telematik:claims:id'] ?? ''),
            ik: String(p['urn:telematik:claims:organization'] ?? ''),
            displayName: String(p['urn:telematik:claims:display_name'] ?? ''),
            acr: String(p.acr ?? ''),
            authTime: Number(p.auth_time),
            nonce: String(p.nonce ?? ''),
          } satisfies InsuredIdentity;
        }
        return token;
      },
      // The browser learns nothing from the session endpoint: the consent screen gets its data from the service.
      session({ session }) {
        return { expires: session.expires } as typeof session;
      },
    },
  };
}

/** Reads the insured person's login from the next-auth session cookie (server side only). */
export async function readInsuredIdentity(req: IncomingMessage, secret: string): Promise<InsuredIdentity | null> {
  const cookies = parseCookies(req.headers.cookie);
  const token = await getToken({ req: { headers: req.headers, cookies } as never, secret }).catch(() => null);
  const gid = (token as { gid?: InsuredIdentity } | null)?.gid;
  return gid && typeof gid.nonce === 'string' && gid.nonce !== '' ? gid : null;
}

const logSafe = (v: unknown): string => String(v).replace(/[^A-Za-z0-9_.-]/g, '').slice(0, 60);

export function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!header) return out;
  for (const part of header.split(';')) {
    const i = part.indexOf('=');
    if (i < 0) continue;
    const k = part.slice(0, i).trim();
    if (!k || k in out) continue;
    try {
      out[k] = decodeURIComponent(part.slice(i + 1).trim());
    } catch {
      out[k] = part.slice(i + 1).trim();
    }
  }
  return out;
}
