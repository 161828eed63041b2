import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compactVerify, decodeProtectedHeader, importJWK, type JWK } from 'jose';
import { loadOrCreateKeyStore } from '../keys/store';
import type { KeyStore } from '../keys/types';
import { wellKnownRoutes } from './handlers';

const issuer = 'https://popp.example.com';
let ks: KeyStore;
const NOW = Date.parse('2025-05-05T10:00:00Z');
beforeAll(async () => {
  ks = await loadOrCreateKeyStore({ dir: mkdtempSync(path.join(tmpdir(), 'popp-wk-')), production: false, issuer });
});
const route = (p: string) => wellKnownRoutes(ks, issuer, 'Test PoPP', { now: () => NOW / 1000 }).find((r) => r.path === p)!;
const payloadOf = async (jwt: string, jwk: JWK) => JSON.parse(new TextDecoder().decode((await compactVerify(jwt, await importJWK(jwk, 'ES256'))).payload));

describe('wellKnownRoutes', () => {
  it('serves exactly the three GET routes', () => {
    expect(wellKnownRoutes(ks, issuer, 'x').map((r) => `${r.method} ${r.path}`)).toEqual([
      'GET /.well-known/openid-federation',
      'GET /.well-known/signed-jwks',
      'GET /jwks.json',
    ]);
  });

  it('entity statement: self-signed by the entity key, typ entity-statement+jwt, claims per the sample', async () => {
    const res = await route('/.well-known/openid-federation').handle();
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('application/entity-statement+jwt');
    expect(decodeProtectedHeader(res.body)).toEqual({ typ: 'entity-statement+jwt', alg: 'ES256', kid: ks.entityKey.kid });
    const p = await payloadOf(res.body, ks.entityKey.publicJwk);
    expect(p).toEqual({
      iss: issuer,
      sub: issuer,
      iat: NOW / 1000,
      exp: NOW / 1000 + 86400,
      authority_hints: ['https://app-ref.federationmaster.de'],
      metadata: { federation_entity: { organization_name: 'Test PoPP' }, oauth_resource: { signed_jwks_uri: `${issuer}/.well-known/signed-jwks` } },
      jwks: { keys: [ks.entityKey.publicJwk] },
    });
    expect(JSON.stringify(p)).not.toContain('"d"');
  });

  it('signed JWKS: signed by the entity key (not a token key), carrying every published key with x5c', async () => {
    const res = await route('/.well-known/signed-jwks').handle();
    expect(res.headers['content-type']).toBe('application/jwk-set+jwt');
    expect(decodeProtectedHeader(res.body)).toEqual({ typ: 'jwk-set+jwt', alg: 'ES256', kid: ks.entityKey.kid });
    await expect(payloadOf(res.body, ks.current().publicJwk)).rejects.toThrow();
    const p = await payloadOf(res.body, ks.entityKey.publicJwk);
    expect(p.keys).toEqual(ks.published());
    expect(p.keys[0].x5c.length).toBeGreaterThan(0);
  });

  it('jwks.json: the same keys, unsigned', async () => {
    const res = await route('/jwks.json').handle();
    expect(res.headers['content-type']).toBe('application/json');
    expect(JSON.parse(res.body)).toEqual({ keys: ks.published() });
  });
});
