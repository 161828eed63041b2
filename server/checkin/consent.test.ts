import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { decodeJwt } from 'jose';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTestPostgres, type TestPostgres } from '../testing/postgres';
import { createInProcessBus, type CheckinChanged } from '../events/bus';
import type { IssueDeps } from '../popp/issuance';
import { loadOrCreateKeyStore } from '../popp/keys';
import { signPoppToken } from '../popp/token';
import { ensurePractice } from '../practice/seed';
import { openStore } from '../store/db';
import { sha256b64u } from '../util/crypto';
import { bindLoginToCode, confirmConsent, createConsentCode, declineConsent, resolveCode, withdrawCheckin, type ConsentConfig, type InsuredIdentity } from './consent';
import { expireDue } from './records';

const cfg: ConsentConfig = { publicUrl: 'http://localhost:3000', codeTtlSeconds: 300, codeBytes: 18, requiredAcr: 'gematik-ehealth-loa-high' };
let clock = Date.UTC(2026, 11, 3, 9, 0, 0);

// The same domain code runs on SQLite (default) and PostgreSQL (when configured): every case runs on both.
let pgServer: TestPostgres | null = null;
let dialect: 'sqlite' | 'postgres' = 'sqlite';
let dbCounter = 0;
const opened: Array<{ destroy(): Promise<void> }> = [];

async function databaseUrl(): Promise<string> {
  if (dialect === 'sqlite') return ':memory:';
  const name = `popp_test_${process.pid}_${++dbCounter}`;
  const admin = new pg.Client({ connectionString: pgServer!.url });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  return pgServer!.url.replace(/\/postgres$/, `/${name}`);
}

async function setup() {
  const db = await openStore({ dataDir: '', databaseUrl: await databaseUrl() });
  opened.push(db);
  const keys = await loadOrCreateKeyStore({ dir: mkdtempSync(path.join(os.tmpdir(), 'popp-keys-')), production: false, issuer: 'http://localhost:3000', now: () => Math.floor(clock / 1000) });
  const bus = createInProcessBus();
  const events: CheckinChanged[] = [];
  let signed = 0;
  const deps: IssueDeps = {
    db,
    bus,
    now: () => clock,
    sign: async (input) => {
      signed++;
      return signPoppToken(input, { issuer: 'http://localhost:3000', key: keys.current(), now: () => Math.floor(clock / 1000) });
    },
  };
  const practiceId = await ensurePractice(db, { name: 'Praxis A', telematikId: '1-2012345678', professionOid: '1.2.276.0.76.4.50' }, clock);
  const otherPracticeId = await ensurePractice(db, { name: 'Praxis B', telematikId: '1-2099999999', professionOid: '1.2.276.0.76.4.50' }, clock);
  bus.subscribe(practiceId, (e) => events.push(e));
  return { db, deps, practiceId, otherPracticeId, events, signedCount: () => signed };
}

function identity(over: Partial<InsuredIdentity> = {}): InsuredIdentity {
  return { kvnr: 'X110540756', ik: '109500969', displayName: 'Erika Mustermann', acr: 'gematik-ehealth-loa-high', authTime: Math.floor(clock / 1000) + 5, nonce: 'nonce-0123456789abcdef', ...over };
}

async function state(db: Awaited<ReturnType<typeof setup>>['db'], code: string) {
  const { row } = await resolveCode(db, code);
  return { state: row.state, reason: row.reason, token: row.token };
}

beforeAll(async () => {
  pgServer = await startTestPostgres();
  if (!pgServer && process.env.CI === 'true') throw new Error('PostgreSQL (Debian postgresql) is needed for the store tests in CI');
}, 60_000);
afterAll(async () => {
  await pgServer?.stop();
});
afterEach(async () => {
  for (const db of opened.splice(0)) await db.destroy();
});

describe.each(['sqlite', 'postgres'] as const)('consent-code check-in on %s', (d) => {
  beforeEach((ctx) => {
    dialect = d;
    if (d === 'postgres' && !pgServer) ctx.skip();
    clock = Date.UTC(2026, 11, 3, 9, 0, 0);
  });

  it('confirm after a fresh login bound to the code issues exactly one token', async () => {
    const s = await setup();
    const { code, url } = await createConsentCode(s.deps, cfg, s.practiceId, 'Empfang-1');
    expect(url).toBe(`http://localhost:3000/c/${code}`);
    expect(Buffer.from(code, 'base64url').length).toBeGreaterThanOrEqual(16);
    await bindLoginToCode(s.deps, code, identity().nonce, 'state-0123456789abcdef');
    await confirmConsent(s.deps, cfg, code, identity());
    const st = await state(s.db, code);
    expect(st.state).toBe('success');
    const claims = decodeJwt(st.token!);
    expect(claims).toMatchObject({ proofMethod: 'healthid', patientId: 'X110540756', insurerId: '109500969', actorId: '1-2012345678', patientProofTime: identity().authTime });
    await expect(confirmConsent(s.deps, cfg, code, identity())).rejects.toMatchObject({ code: 'CODE_USED' });
    expect(s.signedCount()).toBe(1);
    expect(s.events.length).toBeGreaterThanOrEqual(2);
  });

  it('two racing confirms with the same login yield one token', async () => {
    const s = await setup();
    const { code } = await createConsentCode(s.deps, cfg, s.practiceId);
    await bindLoginToCode(s.deps, code, identity().nonce, 'state-0123456789abcdef');
    const results = await Promise.allSettled([confirmConsent(s.deps, cfg, code, identity()), confirmConsent(s.deps, cfg, code, identity())]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const tokens = await s.db.selectFrom('checkins').select('token').where('token', 'is not', null).execute();
    expect(tokens).toHaveLength(1);
  });

  it('refuses without login, with a login made for another code, stale, or below loa-high — and changes nothing', async () => {
    const s = await setup();
    const a = await createConsentCode(s.deps, cfg, s.practiceId);
    const b = await createConsentCode(s.deps, cfg, s.practiceId);
    await expect(confirmConsent(s.deps, cfg, a.code, null)).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
    await expect(confirmConsent(s.deps, cfg, a.code, identity())).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
    await bindLoginToCode(s.deps, b.code, identity().nonce, 'state-0123456789abcdef');
    await expect(confirmConsent(s.deps, cfg, a.code, identity())).rejects.toMatchObject({ code: 'LOGIN_NOT_FOR_THIS_CODE' });
    await bindLoginToCode(s.deps, a.code, 'nonce-for-a-0123456789', 'state-a-0123456789abcdef');
    await expect(confirmConsent(s.deps, cfg, a.code, identity({ nonce: 'nonce-for-a-0123456789', authTime: Math.floor(clock / 1000) - 60 }))).rejects.toMatchObject({ code: 'LOGIN_STALE' });
    // A login older than the start of this code's login (an IdP that skipped re-authentication) is stale too.
    const c = await createConsentCode(s.deps, cfg, s.practiceId);
    clock += 30_000;
    await bindLoginToCode(s.deps, c.code, 'nonce-for-c-0123456789', 'state-c-0123456789abcdef');
    await expect(confirmConsent(s.deps, cfg, c.code, identity({ nonce: 'nonce-for-c-0123456789', authTime: Math.floor(clock / 1000) - 10 }))).rejects.toMatchObject({ code: 'LOGIN_STALE' });
    clock -= 30_000;
    await expect(confirmConsent(s.deps, cfg, a.code, identity({ nonce: 'nonce-for-a-0123456789', acr: 'gematik-ehealth-loa-substantial' }))).rejects.toMatchObject({ code: 'ACR_INSUFFICIENT' });
    await expect(confirmConsent(s.deps, cfg, a.code, identity({ nonce: 'nonce-for-a-0123456789', kvnr: 'x11054075' }))).rejects.toMatchObject({ code: 'IDENTITY_INVALID' });
    expect(await state(s.db, a.code)).toMatchObject({ state: 'waiting', token: null });
    expect(s.signedCount()).toBe(0);
  });

  it('expired codes refuse login, confirm and decline; the sweeper marks them and tells the dashboard', async () => {
    const s = await setup();
    const { code } = await createConsentCode(s.deps, cfg, s.practiceId);
    await bindLoginToCode(s.deps, code, identity().nonce, 'state-0123456789abcdef');
    clock += 300_000; // exactly at expiry: no longer usable
    await expect(bindLoginToCode(s.deps, code, 'another-nonce-0123456789', 'state-0123456789abcdef')).rejects.toMatchObject({ code: 'CODE_EXPIRED' });
    await expect(confirmConsent(s.deps, cfg, code, identity())).rejects.toMatchObject({ code: 'CODE_EXPIRED' });
    await expect(declineConsent(s.deps, cfg, code, identity())).rejects.toMatchObject({ code: 'CODE_EXPIRED' });
    const before = s.events.length;
    expect(await expireDue(s.deps)).toBe(1);
    expect(s.events.length).toBe(before + 1);
    expect(await state(s.db, code)).toMatchObject({ state: 'canceled', reason: 'expired', token: null });
  });

  it('decline is final; malformed and unknown codes say why', async () => {
    const s = await setup();
    const { code } = await createConsentCode(s.deps, cfg, s.practiceId);
    // A bystander without the login made for this code cannot decline it.
    await expect(declineConsent(s.deps, cfg, code, null)).rejects.toMatchObject({ code: 'LOGIN_REQUIRED' });
    await bindLoginToCode(s.deps, code, 'decline-nonce-0123456789', 'state-0123456789abcdef');
    await declineConsent(s.deps, cfg, code, identity({ nonce: 'decline-nonce-0123456789' }));
    await expect(declineConsent(s.deps, cfg, code, identity({ nonce: 'decline-nonce-0123456789' }))).rejects.toMatchObject({ code: 'CODE_DECLINED' });
    await bindLoginToCode(s.deps, (await createConsentCode(s.deps, cfg, s.practiceId)).code, identity().nonce, 'state-0123456789abcdef');
    await expect(confirmConsent(s.deps, cfg, code, identity())).rejects.toMatchObject({ code: 'CODE_DECLINED' });
    for (const bad of ['', 'abc', 'x'.repeat(500), '../../etc/passwd', 'AAAAAAAAAAAAAAAAAAAAA=']) {
      await expect(resolveCode(s.db, bad)).rejects.toMatchObject({ code: 'CODE_MALFORMED' });
    }
    await expect(resolveCode(s.db, 'A'.repeat(24))).rejects.toMatchObject({ code: 'CODE_NOT_FOUND' });
  });

  it('staff can only withdraw their own practice’s codes', async () => {
    const s = await setup();
    const { checkin, code } = await createConsentCode(s.deps, cfg, s.practiceId);
    await expect(withdrawCheckin(s.deps, s.otherPracticeId, checkin.id)).rejects.toMatchObject({ code: 'CODE_FOREIGN' });
    expect((await state(s.db, code)).state).toBe('waiting');
    await withdrawCheckin(s.deps, s.practiceId, checkin.id);
    expect(await state(s.db, code)).toMatchObject({ state: 'canceled', reason: 'withdrawn' });
  });

  it('a confirm that arrives at the moment of expiry loses to it', async () => {
    const s = await setup();
    const { code, checkin } = await createConsentCode(s.deps, cfg, s.practiceId);
    await bindLoginToCode(s.deps, code, identity().nonce, 'state-0123456789abcdef');
    // The usability check passed a millisecond earlier; the write happens exactly at expiry.
    const { finishCheckin } = await import('./records');
    clock = checkin.expires_at!;
    expect(await finishCheckin(s.deps, checkin.id, { state: 'success', token: 'x' })).toBeNull();
    expect(await finishCheckin(s.deps, checkin.id, { state: 'canceled', reason: 'expired' })).not.toBeNull();
  });

  it('stores only the hash of the code', async () => {
    const s = await setup();
    const { code, checkin } = await createConsentCode(s.deps, cfg, s.practiceId);
    const row = await s.db.selectFrom('checkins').selectAll().where('id', '=', checkin.id).executeTakeFirstOrThrow();
    expect(JSON.stringify(row)).not.toContain(code);
    expect(row.code_hash).not.toBe(sha256b64u(code)); // domain-separated hash
  });
});
