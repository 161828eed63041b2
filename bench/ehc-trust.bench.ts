/**
 * Full eGK check-ins per second through the WebSocket endpoint with the trust decision the
 * service runs (C.CH.AUT path to a configured anchor, OCSP, hash-DB contact check on SQLite),
 * OCSP answers cached versus fetched for every check from the test PKI's responder over HTTP on
 * 127.0.0.1, against the same endpoint with the development check (signature and dates only) in
 * the same run. Cards and clients run in this process for all three windows alike.
 */
import { createPrivateKey } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { WebSocket } from 'ws';
import { runEhcCheck, webSocketChannel } from '../lib/popp-client';
import { exportEcPrivateKeyPem } from '../server/card/crypto-node';
import { SoftwareEgk } from '../server/egk';
import type { EhcTrust } from '../server/popp/ehc/deps';
import { devEhcTrust } from '../server/popp/ehc/dev-trust';
import { createEhcEndpoint } from '../server/popp/ehc/endpoint';
import { softwareCardTransport } from '../server/popp/ehc/software-transport';
import { serveEhc } from '../server/popp/ehc/test-server';
import { createTestPki, issueCard, issueServiceIdentity } from '../server/testpki/pki';
import { createTrustDecision } from '../server/trust/decision';
import { HashDbRepository } from '../server/trust/hashdb/repository';
import { hashDbMigration, type HashDbTables } from '../server/trust/hashdb/schema';
import { OcspChecker } from '../server/trust/ocsp/checker';
import { OcspResponder, listenOcspResponder } from '../server/trust/ocsp/responder';
import { ConfiguredAnchors, anchorFromDer, combineTrust } from '../server/trust/tsl/anchors';
import { TrustCert } from '../server/trust/x509/certificate';
import type { BenchSection } from './types';

const CARDS = 16;
const CONCURRENCY = 4;
const MEASURE_MS = 4000;

export default async function bench(): Promise<BenchSection> {
  // The cards' AIA names a dead address: the anchor's service entry (as a TSL's) comes first.
  const pki = createTestPki({ ocspUrl: 'http://127.0.0.1:1/unused' });
  const id = issueServiceIdentity(pki);
  const responder = new OcspResponder({
    issuer: { cert: TrustCert.parse(pki.egkCa.der), key: createPrivateKey(exportEcPrivateKeyPem(pki.egkCa.key.curve, pki.egkCa.key.privateKey)) },
    now: () => new Date(),
  });
  const running = await listenOcspResponder(responder);
  const db = new Kysely<HashDbTables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await hashDbMigration.up(db);

  const cards = Array.from({ length: CARDS }, () => issueCard(pki));
  for (const c of cards) responder.register(TrustCert.parse(c.chAut));
  const dev = devEhcTrust({ gematik: false, testPki: pki, service: { cvcChain: id.chain.map((c) => c.raw), key: id.privateKey } });
  const store = combineTrust(null, new ConfiguredAnchors([anchorFromDer(pki.egkCa.der, pki.x509Root.der, { ocspUrls: [running.url] })], 'development'));
  const full = (cache: boolean): EhcTrust => ({
    ...dev,
    validateChAut: createTrustDecision({ env: 'development', trustStore: store, ocsp: new OcspChecker(cache ? {} : { cache: false }), hashDb: new HashDbRepository(db) }).validateChAut,
    fullTrustDecision: true,
  });

  const window = async (trust: EhcTrust) => {
    const endpoint = createEhcEndpoint({
      authenticate: async () => ({ telematikId: '1-20014060625', professionOid: '1.2.276.0.76.4.50' }),
      issueToken: async () => 'eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.c2ln',
      trust,
      config: { cardTimeBudgetMs: 10_000, maxFrameBytes: 65536, production: false },
      now: Date.now,
    });
    const srv = await serveEhc(endpoint);
    const run = async (ms: number) => {
      let checks = 0;
      const t0 = performance.now();
      const lane = async (i: number) => {
        const card = softwareCardTransport(SoftwareEgk.fromImageXml(cards[i % cards.length]!.xml));
        while (performance.now() - t0 < ms) {
          const channel = await webSocketChannel(new WebSocket(srv.url) as never);
          await runEhcCheck({ channel, card });
          checks++;
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, (_, i) => lane(i)));
      return (checks * 1000) / (performance.now() - t0);
    };
    try {
      await run(800); // warm-up: JIT, hash-DB pairs stored ad hoc, cache filled
      const requests = responder.requests;
      const perSecond = await run(MEASURE_MS);
      return { perSecond, ocspRequests: responder.requests - requests };
    } finally {
      await srv.stop();
    }
  };

  try {
    // Shared machines drift: the baseline is measured before and after the two windows and averaged.
    const before = await window(dev);
    const cached = await window(full(true));
    const uncached = await window(full(false));
    const after = await window(dev);
    const baseline = { perSecond: (before.perSecond + after.perSecond) / 2 };
    if (cached.ocspRequests !== 0) throw new Error(`cached window sent ${cached.ocspRequests} OCSP requests`);
    if (uncached.ocspRequests === 0) throw new Error('uncached window did not reach the responder');
    const base = { name: 'same endpoint, development check (signature + dates)', value: baseline.perSecond, unit: 'checks/s' };
    return {
      title: 'eGK check-in with the trust decision (TSL/anchor path, OCSP, hash DB)',
      notes: [
        `One process: endpoint, ${CONCURRENCY} clients with ${CARDS} software eGKs of the test PKI over loopback WebSocket, the test PKI's OCSP responder on 127.0.0.1, the hash DB in SQLite (memory). Four windows of ${MEASURE_MS / 1000} s after a warm-up each: baseline, cached, uncached, baseline again (the two baselines averaged).`,
        'Baseline: the same endpoint and cards with the development C.CH.AUT check (one brainpool verify and dates). The card side’s work (its ECDH, SM) is in all windows alike, so the ratio shows what the trust decision costs per check-in.',
        'Cached: the OCSP answer of each card is reused until its nextUpdate (1 h; none sent in the window, checked). Uncached: every check sends a request; the responder signs a fresh brainpool response and the checker verifies it (last row: requests per check).',
      ],
      rows: [
        { name: 'full eGK checks, OCSP cached', value: cached.perSecond, unit: 'checks/s', baseline: base, ratio: cached.perSecond / baseline.perSecond },
        { name: 'full eGK checks, OCSP uncached (local responder)', value: uncached.perSecond, unit: 'checks/s', baseline: base, ratio: uncached.perSecond / baseline.perSecond },
        { name: 'OCSP requests per check, uncached window', value: uncached.ocspRequests / ((uncached.perSecond * MEASURE_MS) / 1000), unit: 'requests', baseline: undefined, ratio: undefined },
      ],
    };
  } finally {
    await running.close();
    await db.destroy();
  }
}
