import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier, type Verifier } from './verifier';
import { handleVerifyRequest, verifyHttpHandler, VERIFY_PATH } from './http';
import { createTestIssuer, type TestIssuer } from './testing/issuer';

let iss: TestIssuer;
let verifier: Verifier;
let server: Server;
let base: string;
beforeAll(async () => {
  iss = await createTestIssuer({ issuer: 'https://popp-h.test' });
  verifier = createVerifier({ issuers: [{ iss: iss.issuer, trustAnchors: [iss.caPem], fetch: iss.fetch }] });
  const handler = verifyHttpHandler(verifier);
  server = createServer((req, res) => (req.url === VERIFY_PATH ? void handler(req, res) : void res.writeHead(404).end()));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const post = (body: unknown, contentType = 'application/json') => handleVerifyRequest(verifier, { method: 'POST', contentType, body: typeof body === 'string' ? body : JSON.stringify(body) });

describe('POST /api/v1/verify', () => {
  it('200 valid:true with the claims for a good token', async () => {
    const res = await post({ token: await iss.token(), profile: 'vsdm' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ valid: true, claims: { iss: iss.issuer, proofMethod: 'healthid' } });
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('an endpoint that does not offer epa refuses it before verifying, so no token is spent', async () => {
    const token = await iss.token({ patientId: 'A987654321' });
    const body = JSON.stringify({ token, profile: 'epa' });
    const res = await handleVerifyRequest(verifier, { method: 'POST', contentType: 'application/json', body }, { profiles: ['basic', 'vsdm'] });
    expect(res.status).toBe(400);
    expect(JSON.parse(res.body)).toMatchObject({ code: 'profile_not_offered' });
    // Still unspent: the ePA check proper accepts it once.
    expect(JSON.parse((await post({ token, profile: 'epa' })).body)).toMatchObject({ valid: true });
  });

  it('200 valid:false with code and reason for a bad token, without echoing it', async () => {
    const token = `${(await iss.token()).slice(0, -4)}AAAA`;
    const res = await post({ token, profile: 'basic' });
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ valid: false, code: 'signature_invalid', reason: expect.any(String) });
    expect(res.body).not.toContain(token.split('.')[1]);
  });

  it.each([
    ['not JSON', '{token:'],
    ['unknown profile', { token: 'a.b.c', profile: 'kim' }],
    ['missing token', { profile: 'basic' }],
    ['extra field', { token: 'a.b.c', profile: 'basic', debug: true }],
    ['actorId with blanks', { token: 'a.b.c', profile: 'erezept', actorId: '1 2' }],
  ])('400 problem+json for %s', async (_n, body) => {
    const res = await post(body);
    expect(res.status).toBe(400);
    expect(res.headers['content-type']).toBe('application/problem+json');
    expect(JSON.parse(res.body)).toMatchObject({ status: 400, code: 'malformed_request' });
  });

  it('415 for a non-JSON content type, 405 for GET', async () => {
    expect((await post({ token: 'a', profile: 'basic' }, 'text/plain')).status).toBe(415);
    const r = await handleVerifyRequest(verifier, { method: 'GET', body: '' });
    expect(r.status).toBe(405);
    expect(r.headers.allow).toBe('POST');
  });

  it('over node:http: works end to end and caps the body at 16 KiB (413)', async () => {
    const ok = await fetch(base + VERIFY_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: await iss.token(), profile: 'epa' }) });
    expect(ok.status).toBe(200);
    expect((await ok.json()).valid).toBe(true);
    const big = await fetch(base + VERIFY_PATH, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: 'x'.repeat(20_000), profile: 'basic' }) });
    expect(big.status).toBe(413);
  });
});
