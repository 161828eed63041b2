import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { interopAvailable } from '../testing/interop';
import { createTrustDecision, type TrustAuditEvent, type TrustDecision } from './decision';
import { HashDbRepository } from './hashdb/repository';
import { hashDbMigration, type HashDbTables } from './hashdb/schema';
import { OcspChecker } from './ocsp/checker';
import { OcspResponder, listenOcspResponder, type RunningResponder } from './ocsp/responder';
import { OID } from './oids';
import { makeEgkPki } from './testing/certs';
import { cardImageFile, gematikSnapshot, generatedSnapshot } from './testing/fixtures';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;
const CVC = (n: number) => Uint8Array.of(0x7f, 0x21, n);

async function memoryDb() {
  const db = new Kysely<HashDbTables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await hashDbMigration.up(db);
  return db;
}

describe('createTrustDecision with generated cards and the local responder', () => {
  const pki = makeEgkPki(NOW);
  const responder = new OcspResponder({ issuer: pki.ca, now: () => NOW });
  let running: RunningResponder;
  let db: Kysely<HashDbTables>;
  let decision: TrustDecision;
  let audit: TrustAuditEvent[];

  beforeAll(async () => {
    running = await listenOcspResponder(responder);
  });
  afterAll(() => running.close());
  beforeEach(async () => {
    responder.setMode('normal');
    db = await memoryDb();
    audit = [];
    const snapshot = generatedSnapshot(pki, { now: NOW, ocspUrl: running.url });
    decision = createTrustDecision({
      env: 'test',
      trustStore: { current: () => snapshot },
      ocsp: new OcspChecker({ timeoutMs: 200 }),
      hashDb: new HashDbRepository(db),
      audit: (e) => audit.push(e),
    });
  });

  const card = (spec: Parameters<typeof pki.chAut>[0] = {}, status: 'good' | 'revoked' | 'unknown' = 'good') => {
    const c = pki.chAut(spec);
    if (status !== 'unknown') responder.register(c.cert, { status, revocationTime: new Date(NOW.getTime() - DAY) });
    return c.cert.der;
  };

  it('accepts a good card: path, live OCSP, then ad hoc in the hash DB; the second time from cache and known', async () => {
    const der = card();
    const first = await decision.validateChAut(der, { cardCvc: CVC(1), now: NOW });
    expect(first).toMatchObject({ root: { name: 'POPP.RCA1 TEST-ONLY' }, ocsp: { source: 'live', status: 'good' }, hashDb: 'ad-hoc' });
    const second = await decision.validateChAut(der, { cardCvc: CVC(1), now: NOW });
    expect(second).toMatchObject({ ocsp: { source: 'cache' }, hashDb: 'match' });
    expect(audit).toEqual([]);
  });

  const refusals: [string, () => Uint8Array, (() => void) | undefined, string, number][] = [
    ['revoked', () => card({}, 'revoked'), undefined, 'OCSP_REVOKED', 79117],
    ['unknown status', () => card({}, 'unknown'), undefined, 'OCSP_UNKNOWN', 79117],
    ['expired', () => card({ notBefore: new Date(NOW.getTime() - 90 * DAY), notAfter: new Date(NOW.getTime() - DAY) }), undefined, 'CERT_EXPIRED', 79117],
    ['wrong policy', () => card({ policies: [OID.gematikPolicy] }), undefined, 'CERT_POLICY', 79117],
    ['OCSP down', () => card(), () => responder.setMode('down'), 'OCSP_UNREACHABLE', 79112],
    ['OCSP slow', () => card(), () => responder.setMode('slow', 1_000), 'OCSP_TIMEOUT', 79113],
    ['forged responder', () => card(), () => responder.setMode('forged'), 'OCSP_SIGNATURE_INVALID', 79117],
    ['stranger responder', () => card(), () => responder.setMode('stranger'), 'OCSP_RESPONDER_UNTRUSTED', 79117],
  ];
  for (const [name, make, arrange, code, bde] of refusals) {
    it(`refuses ${name} with ${code} (${bde}) and stores nothing`, async () => {
      const der = make();
      arrange?.();
      await expect(decision.validateChAut(der, { cardCvc: CVC(2), now: NOW })).rejects.toMatchObject({ code, bde });
      expect(await new HashDbRepository(db).count()).toBe(0);
      expect(audit).toEqual([expect.objectContaining({ event: 'trust.refused', code, bde })]);
      expect(JSON.stringify(audit)).not.toContain('X000000001');
    });
  }

  it('blocks a CH.AUT that shows up with another CVC (79501), then the pair stays blocked (79515)', async () => {
    const der = card();
    await decision.validateChAut(der, { cardCvc: CVC(1), now: NOW });
    await expect(decision.validateChAut(der, { cardCvc: CVC(9), now: NOW })).rejects.toMatchObject({ code: 'HASHDB_PAIRED_ELSEWHERE', bde: 79501 });
    await expect(decision.validateChAut(der, { cardCvc: CVC(1), now: NOW })).rejects.toMatchObject({ code: 'HASHDB_BLOCKED', bde: 79515 });
  });

  it('contactless: an unknown pair is 79510 and is not stored', async () => {
    await expect(decision.validateChAut(card(), { cardCvc: CVC(3), now: NOW, interface: 'contactless' })).rejects.toMatchObject({ bde: 79510 });
    expect(await new HashDbRepository(db).count()).toBe(0);
  });
});

describe.skipIf(!interopAvailable())("gematik's test card under the offline OCSP policy", () => {
  const snapshot = gematikSnapshot(NOW);
  const chAut = cardImageFile('EF.C.CH.AUT.E256');
  const cvc = cardImageFile('EF.C.eGK.AUT_CVC.E256');
  const anchors = [{ caCommonName: 'GEM.EGK-CA51 TEST-ONLY', reason: 'gematik test card: http://ehca.gematik.de/ocsp/ unreachable here' }];

  it('validates to GEM.RCA5 without OCSP, records the use, and stores the pair ad hoc', async () => {
    const audit: TrustAuditEvent[] = [];
    const db = await memoryDb();
    const d = createTrustDecision({
      env: 'development',
      trustStore: { current: () => snapshot },
      ocsp: new OcspChecker({ transport: () => Promise.reject(new Error('must not be called')) }),
      offlineOcsp: anchors,
      hashDb: new HashDbRepository(db),
      audit: (e) => audit.push(e),
    });
    const r = await d.validateChAut(chAut, { cardCvc: cvc, now: NOW });
    expect(r).toMatchObject({ root: { name: 'GEM.RCA5 TEST-ONLY' }, ocsp: { source: 'offline-policy' }, hashDb: 'ad-hoc', certificate: { serial: '584cd45e7a64' } });
    expect(audit).toEqual([expect.objectContaining({ event: 'trust.ocsp-offline-policy', caCommonName: 'GEM.EGK-CA51 TEST-ONLY', serial: '584cd45e7a64' })]);
  });

  it('without the policy asks the TSL address of GEM.EGK-CA51, and is refused in production', async () => {
    const urls: string[] = [];
    const d = createTrustDecision({
      env: 'development',
      trustStore: { current: () => snapshot },
      ocsp: new OcspChecker({ transport: (url) => (urls.push(url), Promise.reject(new Error('offline'))) }),
      hashDb: null,
    });
    await expect(d.validateChAut(chAut, { cardCvc: cvc, now: NOW })).rejects.toMatchObject({ code: 'OCSP_UNREACHABLE', bde: 79112 });
    expect(urls).toEqual(['http://ocsp-sim.epa-ti-gemt0.svc.cluster.local:3128/ocsp-sim/']);
    expect(() =>
      createTrustDecision({ env: 'production', trustStore: { current: () => snapshot }, ocsp: new OcspChecker(), offlineOcsp: anchors, hashDb: {} as HashDbRepository }),
    ).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });
});
