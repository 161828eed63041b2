import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createVerifier } from '../../server/verifier';
import { createTestIssuer, type TestIssuer } from '../../server/verifier/testing/issuer';
import { createFachdienst } from './server';

const PRACTICE = '1-20014060625';
let iss: TestIssuer;
let server: Server;
let base: string;

beforeAll(async () => {
  iss = await createTestIssuer({ issuer: 'https://popp.example.test' });
  const verifier = createVerifier({ issuers: [{ iss: iss.issuer, trustAnchors: [iss.caPem], fetch: iss.fetch }] });
  server = createFachdienst({
    verifier,
    tasks: [
      { id: 't1', patientId: 'X110540756', status: 'ready', medication: 'Ibuprofen 400' },
      { id: 't2', patientId: 'Y123456789', status: 'ready', medication: 'Metformin 500' },
    ],
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

const getTasks = (headers: Record<string, string>) => fetch(`${base}/Task`, { headers });

describe('Fachdienst example: GET /Task with X-PoPP-Token', () => {
  it('serves only the token\'s patient to the practice the token was issued to', async () => {
    const res = await getTasks({ 'x-caller-telematik-id': PRACTICE, 'x-popp-token': await iss.token({ actorId: PRACTICE }) });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.total).toBe(1);
    expect(body.entry[0].resource).toMatchObject({ id: 't1', patientId: 'X110540756' });
  });

  it('refuses a token issued to another practice (403 actor_mismatch)', async () => {
    const res = await getTasks({ 'x-caller-telematik-id': '1-2099999999', 'x-popp-token': await iss.token({ actorId: PRACTICE }) });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: 'actor_mismatch' });
  });

  it('refuses a tampered token (403 signature_invalid) and a missing one (400)', async () => {
    const [h, , s] = (await iss.token({ actorId: PRACTICE })).split('.');
    const payload = Buffer.from(JSON.stringify({ patientId: 'Y123456789' })).toString('base64url');
    const res = await getTasks({ 'x-caller-telematik-id': PRACTICE, 'x-popp-token': `${h}.${payload}.${s}` });
    expect(res.status).toBe(403);
    expect((await getTasks({ 'x-caller-telematik-id': PRACTICE })).status).toBe(400);
  });

  it('refuses a token older than 30 minutes (403 token_expired)', async () => {
    const old = await iss.token({ actorId: PRACTICE }, Date.now() - 31 * 60_000);
    const res = await getTasks({ 'x-caller-telematik-id': PRACTICE, 'x-popp-token': old });
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({ code: 'token_expired' });
  });
});
