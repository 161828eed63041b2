/**
 * The trust decision inside the running eGK check-in: the service's own wiring (createEhcWiring
 * on the store of createApp) with an in-memory test PKI, the test PKI's OCSP responder mounted on
 * the same HTTP server under /dev/ocsp/ and reached over HTTP, and the hash DB in the service's
 * SQLite store. Each refusal travels as its 79xxx Error through the real WebSocket endpoint, and
 * no token and no check-in record comes of it.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { toHex } from '../../lib/bytes/hex';
import { isEhcClientError, runEhcCheck, webSocketChannel, type EhcClientError } from '../../lib/popp-client';
import { loadEnv } from '../config/env';
import { SoftwareEgk } from '../egk';
import { DEV_INSTITUTION_HEADER } from '../popp/ehc/dev-credential';
import { EHC_PATH } from '../popp/ehc/endpoint';
import { softwareCardTransport } from '../popp/ehc/software-transport';
import { createTestPki, issueCard, issueServiceIdentity, type TestCard, type TestPki } from '../testpki/pki';
import { issueX509 } from '../testpki/x509';
import { importSignerPins, verifySignedImport } from '../trust/hashdb/cms';
import { encodeEContent, parseEContent } from '../trust/hashdb/econtent';
import { makeImportSigner, signImport } from '../trust/testing/cms-builder';
import { interopAvailable, interopPath } from '../testing/interop';
import { TrustCert } from '../trust/x509/certificate';
import { createApp, type App } from './create';
import { devImportSigner, createEhcWiring, type EhcWiring } from './ehc';

const TOKEN = 'test-admin-token-'.padEnd(40, 'x');
const DAY = 86_400_000;
const MAX_BYTES = 8192;

let app: App;
let wiring: EhcWiring;
let server: Server;
let base: string;
let dataDir: string;
let pki: TestPki;

beforeAll(async () => {
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'popp-trust-'));
  server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  base = `http://127.0.0.1:${port}`;
  app = await createApp(loadEnv({ DATA_DIR: dataDir, PORT: String(port), HOST: '127.0.0.1' }));
  pki = createTestPki({ ocspUrl: `${base}/dev/ocsp/` });
  wiring = (await createEhcWiring(app.services, {
    testPki: { ...pki, service: issueServiceIdentity(pki) },
    gematik: false,
    selfUrl: base,
    source: { HASHDB_ADMIN_TOKEN: TOKEN, HASHDB_MAX_IMPORT_BYTES: String(MAX_BYTES) },
  }))!;
  server.on('request', (req, res) => {
    const p = new URL(req.url ?? '/', base).pathname;
    void wiring.handle(req, res, p).then((h) => h || app.handle(req, res).then((h2) => h2 || res.writeHead(404).end()));
  });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', base).pathname === EHC_PATH) wiring.endpoint.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
}, 60_000);

afterAll(async () => {
  await wiring?.close();
  await app?.close();
  server?.closeAllConnections();
  server?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

afterEach(() => wiring.devOcsp!.setMode('normal'));

/** A valid card, its C.CH.AUT registered with the responder as `status` (unless 'unregistered'). */
function card(status: 'good' | 'revoked' | 'unregistered' = 'good'): TestCard {
  const c = issueCard(pki, { state: 'valid' });
  if (status !== 'unregistered') wiring.devOcsp!.register(TrustCert.parse(c.chAut), { status, revocationTime: new Date(Date.now() - DAY) });
  return c;
}

/** The same card with another C.CH.AUT of the test eGK CA in its image (CVCs untouched, so only the X.509 check can object). */
function withChAut(c: TestCard, o: { notBefore?: Date; notAfter?: Date; policies?: string[] }): TestCard {
  const der = issueX509(pki.crypto, {
    subject: [
      { type: 'C', value: 'DE' },
      { type: 'O', value: 'Test GKV-SV NOT-VALID' },
      { type: 'OU', value: c.ik },
      { type: 'OU', value: c.kvnr },
      { type: 'CN', value: 'Karte Testperson TEST-ONLY' },
    ],
    subjectKey: { curve: 'brainpoolP256r1', publicKey: pki.crypto.generateKeyPair('brainpoolP256r1').publicKey },
    issuer: [
      { type: 'C', value: 'DE' },
      { type: 'O', value: 'popp test PKI NOT-VALID' },
      { type: 'CN', value: pki.egkCa.name },
    ],
    issuerKey: pki.egkCa.key,
    notBefore: o.notBefore ?? new Date(Date.now() - 30 * DAY),
    notAfter: o.notAfter ?? new Date(Date.now() + 365 * DAY),
    serial: pki.crypto.randomBytes(8),
    ca: false,
    policies: o.policies ?? ['1.2.276.0.76.4.163', '1.2.276.0.76.4.70'],
    ocspUrl: pki.ocspUrl,
    admission: { professionItem: 'Versicherte/-r', professionOid: '1.2.276.0.76.4.49' },
  });
  wiring.devOcsp!.register(TrustCert.parse(der));
  const at = c.xml.indexOf('id="EF.C.CH.AUT.E256"');
  const end = c.xml.indexOf('</child>', at);
  const n = der.length.toString(16).padStart(4, '0');
  const block = c.xml
    .slice(at, end)
    .replace(/(<attribute id="body">)[0-9A-Fa-f]+/, `$1${toHex(der)}`)
    .replace(/(<attribute id="numberOfOctet">)[0-9A-Fa-f]+/, `$1${n}`)
    .replace(/(<attribute id="positionLogicalEndOfFile">)[0-9A-Fa-f]+/, `$1${n}`);
  const xml = c.xml.slice(0, at) + block + c.xml.slice(end);
  return { ...c, chAut: der, xml, open: (opts) => SoftwareEgk.fromImageXml(xml, { crypto: pki.crypto, ...opts }) };
}

async function check(c: TestCard) {
  const t = softwareCardTransport(c.open());
  await t.connect();
  const channel = await webSocketChannel(new WebSocket(`${base.replace('http', 'ws')}${EHC_PATH}`, { headers: { [DEV_INSTITUTION_HEADER]: wiring.devCredential! } }) as never);
  return runEhcCheck({ channel, card: t });
}

async function refused(c: TestCard): Promise<EhcClientError> {
  try {
    await check(c);
  } catch (e) {
    if (isEhcClientError(e)) return e;
    throw e;
  }
  throw new Error('expected the check to be refused');
}

const checkins = () => app.services.db.selectFrom('checkins').selectAll().execute();
const refusalCodes = async () =>
  (await app.services.db.selectFrom('audit_log').select('detail').where('event', '=', 'trust.refused').execute()).map((r) => /code=(\S+)/.exec(r.detail ?? '')?.[1]);

async function upload(body: Uint8Array | Buffer, headers: Record<string, string> = {}) {
  return fetch(`${base}/api/v1/hash-db/import`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream', ...headers },
    body: new Uint8Array(body),
  });
}

async function finished(jobId: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 100; i++) {
    const r = await fetch(`${base}/api/v1/hash-db/import/${jobId}/status`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const s = (await r.json()) as Record<string, unknown>;
    if (s.status === 'FINISHED' || s.status === 'FAILED') return s;
    await new Promise((res) => setTimeout(res, 10));
  }
  throw new Error('job did not finish');
}

describe('a generated card through the running eGK service', () => {
  it('is checked live at /dev/ocsp/, stored ad hoc, and ends in a token; the second check uses the cached answer', async () => {
    const c = card('good');
    const before = wiring.devOcsp!.requests;
    const r = await check(c);
    expect(decodeJwt(r.token)).toMatchObject({ proofMethod: 'ehc-practitioner-trustedchannel', patientId: c.kvnr, insurerId: c.ik });
    expect(wiring.devOcsp!.requests).toBe(before + 1);
    const pair = { hashAut: createHash('sha256').update(c.chAut).digest('hex'), hashCvc: createHash('sha256').update(c.cvc.raw).digest('hex') };
    expect(await wiring.hashDbImporter.repo.find(pair)).toMatchObject({ state: 'ad_hoc', source: 'contact' });
    expect((await checkins()).find((x) => x.token === r.token)).toMatchObject({ flow: 'ehc', state: 'success' });

    const again = await check(c);
    expect(decodeJwt(again.token).patientId).toBe(c.kvnr);
    expect(wiring.devOcsp!.requests).toBe(before + 1);
  });
});

describe('refusals: the right 79xxx, no token, no check-in record', () => {
  const cases: [string, () => TestCard, (() => void) | null, string, string][] = [
    ['revoked', () => card('revoked'), null, '79117', 'OCSP_REVOKED'],
    ['OCSP status unknown', () => card('unregistered'), null, '79117', 'OCSP_UNKNOWN'],
    ['expired C.CH.AUT (CVCs valid)', () => withChAut(card(), { notBefore: new Date(Date.now() - 400 * DAY), notAfter: new Date(Date.now() - DAY) }), null, '79117', 'CERT_EXPIRED'],
    ['C.CH.AUT without oid_egk_aut', () => withChAut(card(), { policies: ['1.2.276.0.76.4.163'] }), null, '79117', 'CERT_POLICY'],
    ['OCSP responder down', () => card(), () => wiring.devOcsp!.setMode('down'), '79112', 'OCSP_UNREACHABLE'],
    ['OCSP responder slower than 1,100 ms', () => card(), () => wiring.devOcsp!.setMode('slow', 1_500), '79113', 'OCSP_TIMEOUT'],
    ['OCSP answer forged in the CA name', () => card(), () => wiring.devOcsp!.setMode('forged'), '79117', 'OCSP_SIGNATURE_INVALID'],
    ['OCSP answer from a stranger', () => card(), () => wiring.devOcsp!.setMode('stranger'), '79117', 'OCSP_RESPONDER_UNTRUSTED'],
  ];
  for (const [name, make, arrange, wire, code] of cases) {
    it(`${name} → ${wire} (${code})`, async () => {
      const c = make();
      arrange?.();
      const rows = (await checkins()).length;
      const e = await refused(c);
      expect(e.serviceErrorCode).toBe(wire);
      expect((await refusalCodes()).at(-1)).toBe(code);
      expect(await checkins()).toHaveLength(rows);
      const pair = { hashAut: createHash('sha256').update(c.chAut).digest('hex'), hashCvc: createHash('sha256').update(c.cvc.raw).digest('hex') };
      expect(await wiring.hashDbImporter.repo.find(pair)).toBeUndefined();
    }, 10_000);
  }

  it('C.CH.AUT imported with another CVC → 79501 and everything blocked; the card again → 79515', async () => {
    const c = card();
    const hashAut = createHash('sha256').update(c.chAut).digest('hex');
    const signer = devImportSigner(path.join(dataDir, 'testpki'), new Date()).signer;
    const file = signImport(encodeEContent([{ action: 'import', hashAut, hashCvc: 'ee'.repeat(32), notAfter: new Date(Date.now() + 365 * DAY) }]), signer);
    const res = await upload(file);
    expect(res.status).toBe(201);
    expect(await finished(((await res.json()) as { jobId: string }).jobId)).toMatchObject({ status: 'FINISHED', imported: 1 });

    const rows = (await checkins()).length;
    expect((await refused(c)).serviceErrorCode).toBe('79501');
    expect(await wiring.hashDbImporter.repo.find({ hashAut, hashCvc: 'ee'.repeat(32) })).toMatchObject({ state: 'blocked' });
    expect((await refused(c)).serviceErrorCode).toBe('79515');
    expect((await refusalCodes()).slice(-2)).toEqual(['HASHDB_PAIRED_ELSEWHERE', 'HASHDB_BLOCKED']);
    expect(await checkins()).toHaveLength(rows);
  });
});

describe('hash-DB admin API (POST /api/v1/hash-db/import, GET …/status, DELETE …)', () => {
  const auth = { authorization: `Bearer ${TOKEN}` };

  it.skipIf(!interopAvailable())("imports every gematik file with its entry found, removes it with the matching remove file", async () => {
    const gematikCa = TrustCert.fromBase64(readFileSync(interopPath('x509', 'GEM.KOMP-CA61-TEST-ONLY.pem'), 'latin1').replace(/-----[^-]+-----/g, ''));
    const pins = importSignerPins({ env: 'development', gematik: [gematikCa] });
    const files = readdirSync(interopPath('hashdb')).filter((f) => f.endsWith('.eContent-signed'));
    expect(files).toHaveLength(6);
    for (const f of files) {
      const file = readFileSync(interopPath('hashdb', f));
      const [entry] = parseEContent(verifySignedImport(file, { pins, now: new Date() }).eContent);
      const pair = { hashAut: entry!.hashAut, hashCvc: entry!.hashCvc };

      const res = await upload(file);
      expect(res.status).toBe(201);
      expect(res.headers.get('location')).toMatch(/\/status$/);
      const job = await finished(((await res.json()) as { jobId: string }).jobId);
      expect(job).toMatchObject({ status: 'FINISHED', imported: 1, signer: 'tsp.egk.gematik.solutions' });
      expect(await wiring.hashDbImporter.repo.find(pair)).toMatchObject({ state: 'imported', not_after: entry!.notAfter.getTime() });

      const rm = await upload(readFileSync(interopPath('hashdb', 'remove', f)));
      expect(await finished(((await rm.json()) as { jobId: string }).jobId)).toMatchObject({ status: 'FINISHED', removed: 1 });
      expect(await wiring.hashDbImporter.repo.find(pair)).toBeUndefined();
    }
  });

  it.skipIf(!interopAvailable())('refuses the same content re-signed by a self-made "GEM.KOMP-CA61 TEST-ONLY": job FAILED, nothing imported', async () => {
    const gematikCa = TrustCert.fromBase64(readFileSync(interopPath('x509', 'GEM.KOMP-CA61-TEST-ONLY.pem'), 'latin1').replace(/-----[^-]+-----/g, ''));
    const file = readFileSync(interopPath('hashdb', '80276883110000144098.eContent-signed'));
    const eContent = verifySignedImport(file, { pins: importSignerPins({ env: 'development', gematik: [gematikCa] }), now: new Date() }).eContent;
    const forged = signImport(eContent, makeImportSigner(new Date(), { caName: 'GEM.KOMP-CA61 TEST-ONLY' }).signer);
    const count = await wiring.hashDbImporter.repo.count();
    const res = await upload(forged);
    expect(res.status).toBe(201);
    expect(await finished(((await res.json()) as { jobId: string }).jobId)).toMatchObject({ status: 'FAILED', errorCode: 'IMPORT_SIGNER_UNTRUSTED' });
    expect(await wiring.hashDbImporter.repo.count()).toBe(count);
  });

  it('answers 401 without or with a wrong admin token, before reading anything', async () => {
    const tries: Record<string, string>[] = [{}, { authorization: `Bearer ${'y'.repeat(40)}` }, { authorization: `Basic ${TOKEN}` }];
    for (const h of tries) {
      const res = await fetch(`${base}/api/v1/hash-db/import`, { method: 'POST', headers: { 'content-type': 'application/octet-stream', ...h }, body: new Uint8Array(10) });
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toBe('application/problem+json');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      expect(await res.json()).toMatchObject({ status: 401, code: 'UNAUTHENTICATED', instance: '/api/v1/hash-db/import', path: '/api/v1/hash-db/import' });
    }
    expect((await fetch(`${base}/api/v1/hash-db/import/${crypto.randomUUID()}/status`)).status).toBe(401);
  });

  it('answers 413 above the cap, declared or streamed, and creates no job', async () => {
    const jobs = async () => (await app.services.db.selectFrom('egk_hash_import_jobs').select('id').execute()).length;
    const n = await jobs();
    const declared = await upload(Buffer.alloc(MAX_BYTES + 1));
    expect([declared.status, ((await declared.json()) as { code: string }).code]).toEqual([413, 'IMPORT_TOO_LARGE']);
    // Chunked, without Content-Length: the cap is enforced while reading.
    const streamed = await new Promise<number>((resolve, reject) => {
      const req = request(`${base}/api/v1/hash-db/import`, { method: 'POST', headers: { ...auth, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' } });
      req.on('response', (res) => (res.resume(), resolve(res.statusCode ?? 0)));
      req.on('error', reject);
      for (let i = 0; i < 4; i++) req.write(Buffer.alloc(4096));
      req.end();
    });
    expect(streamed).toBe(413);
    expect(await jobs()).toBe(n);
  });

  it('415 for another media type, 400 for an empty body or a bad job id, 404 for an unknown job; DELETE removes a finished job', async () => {
    expect((await upload(Buffer.from('x'), { 'content-type': 'text/plain' })).status).toBe(415);
    expect(await (await upload(Buffer.alloc(0))).json()).toMatchObject({ status: 400, code: 'IMPORT_EMPTY' });
    expect((await fetch(`${base}/api/v1/hash-db/import/not-a-uuid/status`, { headers: auth })).status).toBe(400);
    const unknown = await fetch(`${base}/api/v1/hash-db/import/${crypto.randomUUID()}/status`, { headers: auth });
    expect([unknown.status, ((await unknown.json()) as { code: string }).code]).toEqual([404, 'IMPORT_JOB_NOT_FOUND']);

    const res = await upload(Buffer.from('not a CMS file'));
    const { jobId } = (await res.json()) as { jobId: string };
    expect(await finished(jobId)).toMatchObject({ status: 'FAILED', errorCode: 'IMPORT_MALFORMED' });
    expect((await fetch(`${base}/api/v1/hash-db/import/${jobId}`, { method: 'DELETE', headers: auth })).status).toBe(204);
    expect((await fetch(`${base}/api/v1/hash-db/import/${jobId}/status`, { headers: auth })).status).toBe(404);
    expect((await fetch(`${base}/api/v1/hash-db/import/${jobId}`, { method: 'DELETE', headers: auth })).status).toBe(404);
  });
});
