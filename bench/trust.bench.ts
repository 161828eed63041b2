/**
 * eGK trust checks per second: C.CH.AUT path validation + OCSP + hash-DB pair check, with the
 * OCSP answer cached versus fetched every time from the local test responder (HTTP on
 * 127.0.0.1, brainpool-signed), against raw brainpoolP256r1 verifications in the same process.
 */
import { generateKeyPairSync, sign, verify } from 'node:crypto';
import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { createTrustDecision } from '../server/trust/decision';
import { HashDbRepository } from '../server/trust/hashdb/repository';
import { hashDbMigration, type HashDbTables } from '../server/trust/hashdb/schema';
import { OcspChecker } from '../server/trust/ocsp/checker';
import { OcspResponder, listenOcspResponder } from '../server/trust/ocsp/responder';
import { makeEgkPki } from '../server/trust/testing/certs';
import { generatedSnapshot } from '../server/trust/testing/fixtures';
import { validateChAutPath } from '../server/trust/x509/path';
import { opsPerSecond, type BenchSection } from './types';

export default async function bench(): Promise<BenchSection> {
  const now = new Date();
  const pki = makeEgkPki(now);
  const card = pki.chAut();
  const responder = new OcspResponder({ issuer: pki.ca, now: () => new Date() });
  responder.register(card.cert);
  const running = await listenOcspResponder(responder);
  const db = new Kysely<HashDbTables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await hashDbMigration.up(db);
  try {
    const snapshot = generatedSnapshot(pki, { now, ocspUrl: running.url });
    const store = { current: () => snapshot };
    const hashDb = new HashDbRepository(db);
    const cardCvc = Uint8Array.of(0x7f, 0x21, 0x01);
    const cached = createTrustDecision({ env: 'test', trustStore: store, ocsp: new OcspChecker(), hashDb });
    const uncached = createTrustDecision({ env: 'test', trustStore: store, ocsp: new OcspChecker({ cache: false }), hashDb });

    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'brainpoolP256r1' });
    const msg = Buffer.alloc(700, 1);
    const sig = sign('sha256', msg, privateKey);
    const rawVerify = await opsPerSecond(() => verify('sha256', msg, publicKey, sig));
    const pathOnly = await opsPerSecond(() => validateChAutPath(card.cert.der, snapshot, { now: new Date() }));
    const withCache = await opsPerSecond(() => cached.validateChAut(card.cert.der, { cardCvc, now: new Date() }));
    const before = responder.requests;
    const withoutCache = await opsPerSecond(() => uncached.validateChAut(card.cert.der, { cardCvc, now: new Date() }));
    if (responder.requests === before) throw new Error('uncached run did not reach the responder');

    const baseline = { name: 'raw brainpoolP256r1 ECDSA verify', value: rawVerify, unit: 'verifies/s' };
    return {
      title: 'eGK trust decision (CH.AUT path + OCSP + hash DB)',
      notes: [
        'One validation = parse C.CH.AUT, verify CA→CH.AUT and root→CA signatures (brainpool, node:crypto), key usage/policy/TSL checks, OCSP, then the hash-DB contact check (SQLite in memory, pair already known).',
        'Cached: the OCSP answer is reused until its nextUpdate. Uncached: every validation sends a request to the local test responder (HTTP on 127.0.0.1), which signs a fresh brainpool response that the checker verifies.',
        'Ratio = validations per raw brainpool verification time: a validation needs at least two verifications (path) plus, uncached, one responder signature and one more verification.',
      ],
      rows: [
        { name: 'path validation only', value: pathOnly, unit: 'validations/s', baseline, ratio: pathOnly / rawVerify },
        { name: 'full check, OCSP cached', value: withCache, unit: 'validations/s', baseline, ratio: withCache / rawVerify },
        { name: 'full check, OCSP uncached (local responder)', value: withoutCache, unit: 'validations/s', baseline, ratio: withoutCache / rawVerify },
      ],
    };
  } finally {
    await running.close();
    await db.destroy();
  }
}
