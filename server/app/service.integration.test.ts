/**
 * The whole service in-process (everything but Next.js pages): an eGK check-in through
 * the mounted WebSocket endpoint lands as a check-in record of the demo practice, its
 * token verifies at the service's own POST /api/v1/verify, and the endpoint refuses
 * foreign origins and unauthenticated clients.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { runEhcCheck, webSocketChannel } from '../../lib/popp-client';
import { loadEnv } from '../config/env';
import { SoftwareEgk } from '../egk';
import { DEV_INSTITUTION_HEADER } from '../popp/ehc/dev-credential';
import { softwareCardTransport } from '../popp/ehc/software-transport';
import { EHC_PATH } from '../popp/ehc/endpoint';
import { interopAvailable, interopPath } from '../testing/interop';
import { createApp, type App } from './create';

let app: App;
let server: Server;
let base: string;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'popp-svc-'));
  server = createServer();
  await new Promise<void>((r) => server.listen(0, 'localhost', r));
  const port = (server.address() as AddressInfo).port;
  base = `http://localhost:${port}`;
  app = await createApp(loadEnv({ DATA_DIR: dataDir, PORT: String(port) }));
  server.on('request', (req, res) => void app.handle(req, res).then((h) => h || res.writeHead(404).end()));
  server.on('upgrade', (req, socket, head) => app.upgrade(req, socket, head) || socket.destroy());
}, 60_000);

afterAll(async () => {
  await app?.close();
  server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

async function check(card: SoftwareEgk, headers: Record<string, string>) {
  const t = softwareCardTransport(card);
  await t.connect();
  const channel = await webSocketChannel(new WebSocket(`${base.replace('http', 'ws')}${EHC_PATH}`, { headers }) as never);
  return runEhcCheck({ channel, card: t });
}

describe('eGK check-in through the running service', () => {
  it.skipIf(!interopAvailable())("gematik's test card yields a token in 2 round trips, recorded and verifiable", async () => {
    const card = SoftwareEgk.fromImageXml(readFileSync(interopPath('card-image/IMG_eGK_G21_TU_root6.xml'), 'utf8'));
    const r = await check(card, { [DEV_INSTITUTION_HEADER]: app.devCredential! });
    expect(r.scenarios).toBe(2);
    expect(decodeJwt(r.token)).toMatchObject({ proofMethod: 'ehc-practitioner-trustedchannel', patientId: 'X110540756', insurerId: '109500969', actorId: '1-20014060625' });
    const row = await app.services.db.selectFrom('checkins').selectAll().where('token', '=', r.token).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ flow: 'ehc', state: 'success' });
    // The practice's list names the card holder (from C.CH.AUT), without putting the name into the token.
    expect(row.display_name).toMatch(/\S/);
    expect(Object.keys(decodeJwt(r.token))).not.toContain('name');
    const v = await fetch(`${base}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ token: r.token, profile: 'vsdm' }) });
    expect(await v.json()).toMatchObject({ valid: true });
    // Through gematik's TSL to GEM.RCA5, OCSP skipped under the offline policy for GEM.EGK-CA51 only, and on record.
    const events = await app.services.db.selectFrom('audit_log').select(['event', 'detail']).where('event', 'like', 'trust.%').execute();
    expect(events).toContainEqual({ event: 'trust.ocsp-offline-policy-configured', detail: expect.stringContaining('ca=GEM.EGK-CA51 TEST-ONLY') });
    expect(events).toContainEqual({ event: 'trust.ocsp-offline-policy', detail: expect.stringMatching(/^ca=GEM\.EGK-CA51 TEST-ONLY serial=584cd45e7a64 /) });
    expect(JSON.stringify(events)).not.toContain('X110540756');
  });

  it('a generated test-PKI card works against the same service, its cards naming the responder mounted on it', async () => {
    const { generatedSoftwareEgk } = await import('../popp/ehc/generated-card');
    const r = await check(generatedSoftwareEgk(path.join(dataDir, 'testpki')), { [DEV_INSTITUTION_HEADER]: app.devCredential! });
    expect(decodeJwt(r.token).proofMethod).toBe('ehc-practitioner-trustedchannel');
    const index = JSON.parse(readFileSync(path.join(dataDir, 'testpki', 'trust.json'), 'utf8')) as { x509: { ocspUrl: string } };
    expect(index.x509.ocspUrl).toBe(`${base}/dev/ocsp/`);
    const ocsp = await fetch(`${base}/dev/ocsp/`, { method: 'POST', headers: { 'content-type': 'application/ocsp-request' }, body: new Uint8Array([0x30, 0x00]) });
    expect([ocsp.status, ocsp.headers.get('content-type')]).toEqual([200, 'application/ocsp-response']);
  });

  it('mounts the hash-DB admin API behind the admin token generated into DATA_DIR/secrets', async () => {
    const { token } = JSON.parse(readFileSync(path.join(dataDir, 'secrets', 'hashdb-admin.json'), 'utf8')) as { token: string };
    const post = (auth?: string) =>
      fetch(`${base}/api/v1/hash-db/import`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...(auth ? { authorization: auth } : {}) }, body: new Uint8Array(8) });
    expect((await post()).status).toBe(401);
    expect((await post(`Bearer ${token}x`)).status).toBe(401);
    const ok = await post(`Bearer ${token}`);
    expect(ok.status).toBe(201);
    const { jobId } = (await ok.json()) as { jobId: string };
    expect((await fetch(`${base}/api/v1/hash-db/import/${jobId}/status`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
  });

  it('refuses a wrong credential, no credential and a foreign origin before any card traffic', async () => {
    const { generatedSoftwareEgk } = await import('../popp/ehc/generated-card');
    const card = generatedSoftwareEgk(path.join(dataDir, 'testpki'));
    const before = await app.services.db.selectFrom('checkins').select('id').execute();
    await expect(check(card, { [DEV_INSTITUTION_HEADER]: 'x'.repeat(32) })).rejects.toMatchObject({ code: 'connect-failed' });
    await expect(check(card, {})).rejects.toMatchObject({ code: 'connect-failed' });
    await expect(check(card, { [DEV_INSTITUTION_HEADER]: app.devCredential!, origin: 'https://evil.example' })).rejects.toMatchObject({ code: 'connect-failed' });
    expect(await app.services.db.selectFrom('checkins').select('id').execute()).toHaveLength(before.length);
  });
});
