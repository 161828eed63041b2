import { describe, expect, it, beforeAll } from 'vitest';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compactVerify, decodeProtectedHeader, importJWK } from 'jose';
import { signPoppToken } from './issue';
import { TokenError } from './errors';
import { sampleTokenInput } from './testing';
import { loadOrCreateKeyStore } from '../keys/store';
import type { KeyStore } from '../keys/types';

const issuer = 'https://popp.example.com';
let ks: KeyStore;
beforeAll(async () => {
  ks = await loadOrCreateKeyStore({ dir: mkdtempSync(path.join(tmpdir(), 'popp-issue-')), production: false, issuer });
});

describe('signPoppToken', () => {
  it('signs exactly the claim set with the gematik header', async () => {
    const key = ks.current();
    const token = await signPoppToken(sampleTokenInput(), { issuer, key, now: () => 1_760_000_012 });
    expect(decodeProtectedHeader(token)).toEqual({ typ: 'vnd.telematik.popp+jwt', alg: 'ES256', kid: key.kid });
    const { payload } = await compactVerify(token, await importJWK(key.publicJwk, 'ES256'));
    expect(JSON.parse(new TextDecoder().decode(payload))).toEqual({ version: '1.0.0', iss: issuer, iat: 1_760_000_012, ...sampleTokenInput() });
  });

  it.each([
    ['bad KVNR', { patientId: 'X12' }],
    ['unknown proofMethod', { proofMethod: 'magic' }],
    ['extra claim', { exp: 5 }],
    ['caller-supplied iss', { iss: 'https://evil.example' }],
  ])('refuses %s with invalid_claims and never signs', async (_n, over) => {
    const err = await signPoppToken({ ...sampleTokenInput(), ...(over as object) } as never, { issuer, key: ks.current() }).catch((e) => e);
    expect(err).toBeInstanceOf(TokenError);
    expect(err.code).toBe('invalid_claims');
    expect(err.message).not.toContain('X110540756');
  });

  it('refuses a clock in milliseconds (iat would lie in the year 50000)', async () => {
    await expect(signPoppToken(sampleTokenInput(), { issuer, key: ks.current(), now: () => 1_760_000_012_345 })).rejects.toMatchObject({ code: 'invalid_claims' });
  });

  it('refuses an issuer with a path', async () => {
    await expect(signPoppToken(sampleTokenInput(), { issuer: `${issuer}/popp`, key: ks.current() })).rejects.toMatchObject({ code: 'invalid_issuer' });
  });
});
