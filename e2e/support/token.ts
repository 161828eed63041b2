import { expect } from '@playwright/test';
import Ajv2020 from 'ajv/dist/2020.js';
import { readFileSync } from 'node:fs';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { parse } from 'yaml';
import { interopAvailable, interopPath } from '../../server/testing/interop';

const CLAIMS = ['version', 'iss', 'iat', 'proofMethod', 'patientProofTime', 'patientId', 'insurerId', 'actorId', 'actorProfessionOid'];

/**
 * Checks a PoPP token the way the issue demands: signature against the service's
 * published keys, exactly the claim set, the patterns, and gematik's yaml schemas
 * (read from ../shared, never copied).
 */
export async function expectValidPoppToken(token: string, serverUrl: string) {
  const header = decodeProtectedHeader(token);
  expect(header).toEqual({ typ: 'vnd.telematik.popp+jwt', alg: 'ES256', kid: expect.any(String) });
  const jwks = await (await fetch(`${serverUrl}/jwks.json`)).json();
  const { payload } = await jwtVerify(token, createLocalJWKSet(jwks), { algorithms: ['ES256'], typ: 'vnd.telematik.popp+jwt', issuer: new URL(serverUrl).origin });
  expect(Object.keys(payload).sort()).toEqual([...CLAIMS].sort());
  expect(payload.patientId).toMatch(/^[A-Z][0-9]{9}$/);
  expect(payload.insurerId).toMatch(/^[0-9]{9}$/);
  expect(payload.version).toBe('1.0.0');
  if (interopAvailable()) {
    const api = parse(readFileSync(interopPath('api/I_PoPP_Token_Generation.yaml'), 'utf8'));
    const ajv = new (Ajv2020 as unknown as typeof import('ajv').default)({ strict: false, allErrors: true });
    const claims = ajv.compile(api.components.schemas.TokenClaims);
    const headers = ajv.compile(api.components.schemas.TokenHeaders);
    expect(claims(payload), JSON.stringify(claims.errors)).toBe(true);
    expect(headers(header), JSON.stringify(headers.errors)).toBe(true);
  }
  return payload as Record<string, unknown> & { patientProofTime: number; iat: number };
}
