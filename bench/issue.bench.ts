/**
 * Token issuance: the signing function alone, and the whole consent-code path
 * (create code, bind login, confirm: two SQLite transactions, one signature), each
 * against raw ES256 signing in the same process.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { bindLoginToCode, confirmConsent, createConsentCode, type ConsentConfig } from '../server/checkin/consent';
import { createInProcessBus } from '../server/events/bus';
import type { IssueDeps } from '../server/popp/issuance';
import { loadOrCreateKeyStore } from '../server/popp/keys';
import { signPoppToken } from '../server/popp/token';
import { ensurePractice } from '../server/practice/seed';
import { openStore } from '../server/store/db';
import { opsPerSecond, type BenchSection } from './types';

export default async function bench(): Promise<BenchSection> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'popp-bench-issue-'));
  try {
    const keys = await loadOrCreateKeyStore({ dir: path.join(dir, 'keys'), production: false, issuer: 'http://localhost:3000' });
    const input = { proofMethod: 'healthid' as const, patientProofTime: Math.floor(Date.now() / 1000), patientId: 'X110540756', insurerId: '109500969', actorId: '1-20014060625', actorProfessionOid: '1.2.276.0.76.4.50' };
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const payload = Buffer.from(JSON.stringify(input));
    const raw = await opsPerSecond(() => sign('sha256', payload, { key: privateKey, dsaEncoding: 'ieee-p1363' }));
    const signOnly = await opsPerSecond(() => signPoppToken(input, { issuer: 'http://localhost:3000', key: keys.current() }));

    const db = await openStore({ dataDir: dir });
    const deps: IssueDeps = { db, bus: createInProcessBus(), now: Date.now, sign: (i) => signPoppToken(i, { issuer: 'http://localhost:3000', key: keys.current() }) };
    const practiceId = await ensurePractice(db, { name: 'Bench', telematikId: '1-2012345678', professionOid: '1.2.276.0.76.4.50' }, Date.now());
    const cfg: ConsentConfig = { publicUrl: 'http://localhost:3000', codeTtlSeconds: 300, codeBytes: 18, requiredAcr: 'gematik-ehealth-loa-high' };
    let n = 0;
    const flow = await opsPerSecond(async () => {
      const { code } = await createConsentCode(deps, cfg, practiceId);
      const nonce = `bench-nonce-${++n}-0123456789`;
      await bindLoginToCode(deps, code, nonce, 'bench-state-0123456789');
      await confirmConsent(deps, cfg, code, { kvnr: 'X110540756', ik: '109500969', displayName: 'Erika Mustermann', acr: cfg.requiredAcr, authTime: Math.floor(Date.now() / 1000) + 1, nonce });
    }, 2000);
    await db.destroy();
    const baseline = { name: 'raw ES256 crypto.sign', value: raw, unit: 'signatures/s' };
    return {
      title: 'PoPP token issuance',
      notes: [
        'signPoppToken validates the claim set with zod, then signs with jose (ES256). The consent-code path adds creating the code, binding the login and the confirm transaction (SQLite file in a temp dir, WAL).',
        'Ratio = operations per raw signature: peak national PoPP demand is a few hundred tokens per second, so issuance is not the limit.',
      ],
      rows: [
        { name: 'signPoppToken', value: signOnly, unit: 'tokens/s', baseline, ratio: signOnly / raw },
        { name: 'consent code → login binding → confirm (one token)', value: flow, unit: 'check-ins/s', baseline, ratio: flow / raw },
      ],
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
