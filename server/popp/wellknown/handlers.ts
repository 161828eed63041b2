/**
 * Key publication the way gematik's sample PoPP server does it: an OpenID-Federation entity
 * statement that names the signed JWKS, the signed JWKS (signed by the entity key, not by a
 * token key) and a plain /jwks.json. Plain functions, so the custom Node server mounts them
 * without a framework.
 */
import { CompactSign } from 'jose';
import type { KeyStore } from '../keys/types';
import { nowSeconds } from '../token/time';

export const ENTITY_STATEMENT_PATH = '/.well-known/openid-federation';
export const SIGNED_JWKS_PATH = '/.well-known/signed-jwks';
export const JWKS_PATH = '/jwks.json';
export const ENTITY_STATEMENT_TYP = 'entity-statement+jwt';
export const SIGNED_JWKS_TYP = 'jwk-set+jwt';
/** The reference environment's federation master, as in gematik's sample. */
export const DEFAULT_AUTHORITY_HINTS = ['https://app-ref.federationmaster.de'];
const ENTITY_STATEMENT_LIFETIME_SECONDS = 24 * 3600;

export interface WellKnownResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
export interface WellKnownRoute {
  method: 'GET';
  path: string;
  handle(): Promise<WellKnownResponse>;
}

async function sign(ks: KeyStore, typ: string, payload: unknown): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
    .setProtectedHeader({ typ, alg: 'ES256', kid: ks.entityKey.kid })
    .sign(ks.entityKey.privateKey);
}

export async function entityStatement(ks: KeyStore, issuer: string, orgName: string, now?: () => number): Promise<string> {
  const iat = nowSeconds(now);
  return sign(ks, ENTITY_STATEMENT_TYP, {
    iss: issuer,
    sub: issuer,
    iat,
    exp: iat + ENTITY_STATEMENT_LIFETIME_SECONDS,
    authority_hints: DEFAULT_AUTHORITY_HINTS,
    metadata: {
      federation_entity: { organization_name: orgName },
      oauth_resource: { signed_jwks_uri: `${issuer}${SIGNED_JWKS_PATH}` },
    },
    jwks: { keys: [ks.entityKey.publicJwk] },
  });
}

export async function signedJwks(ks: KeyStore, issuer: string, now?: () => number): Promise<string> {
  return sign(ks, SIGNED_JWKS_TYP, { iss: issuer, iat: nowSeconds(now), keys: ks.published() });
}

const ok = (contentType: string, body: string, maxAge: number): WellKnownResponse => ({
  status: 200,
  headers: { 'content-type': contentType, 'cache-control': `public, max-age=${maxAge}`, 'x-content-type-options': 'nosniff' },
  body,
});

export function wellKnownRoutes(ks: KeyStore, issuer: string, orgName: string, opts: { now?: () => number } = {}): WellKnownRoute[] {
  return [
    { method: 'GET', path: ENTITY_STATEMENT_PATH, handle: async () => ok('application/entity-statement+jwt', await entityStatement(ks, issuer, orgName, opts.now), 300) },
    { method: 'GET', path: SIGNED_JWKS_PATH, handle: async () => ok('application/jwk-set+jwt', await signedJwks(ks, issuer, opts.now), 300) },
    { method: 'GET', path: JWKS_PATH, handle: async () => ok('application/json', JSON.stringify({ keys: ks.published() }), 300) },
  ];
}
