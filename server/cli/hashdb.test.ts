import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interopAvailable, interopPath } from '../testing/interop';
import { encodeEContent } from '../trust/hashdb/econtent';
import { makeImportSigner, signImport } from '../trust/testing/cms-builder';
import { devImportSigner } from '../app/ehc';
import { openStore } from '../store/db';
import { runHashDbCli } from './hashdb';

const NOW = new Date('2026-03-01T12:00:00Z');

async function cli(args: string[], env: Record<string, string> = {}) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runHashDbCli(args, { out: (l) => out.push(l), err: (l) => err.push(l), env, now: () => NOW });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const pem = (der: Uint8Array) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(der).toString('base64')}\n-----END CERTIFICATE-----\n`;

describe('popp hashdb', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'popp-hashdb-'));
  const db = path.join(dir, 'popp.sqlite');

  it('imports a file signed by the project test signer, shows its status, removes it', async () => {
    const own = makeImportSigner(NOW);
    const caFile = path.join(dir, 'project-ca.pem');
    writeFileSync(caFile, pem(own.ca.cert.der));
    const entry = { hashAut: 'aa'.repeat(32), hashCvc: 'bb'.repeat(32), notAfter: new Date('2030-01-01T00:00:00Z') };
    const add = path.join(dir, 'add.der');
    const del = path.join(dir, 'del.der');
    writeFileSync(add, signImport(encodeEContent([{ ...entry, action: 'import' }]), own.signer));
    writeFileSync(del, signImport(encodeEContent([{ ...entry, action: 'remove' }]), own.signer));

    const imported = await cli(['import', add, '--db', db, '--project-ca', caFile, '--json']);
    expect(imported.code).toBe(0);
    const job = JSON.parse(imported.out) as { id: string; status: string; imported: number };
    expect(job).toMatchObject({ status: 'FINISHED', imported: 1 });
    expect((await cli(['status', job.id, '--db', db])).out).toContain('FINISHED');
    expect((await cli(['remove', del, '--db', db, '--project-ca', caFile])).out).toContain('entfernt 1');
    expect((await cli(['remove', add, '--db', db, '--project-ca', caFile])).code).toBe(1);
    expect((await cli(['status', 'no-such-job', '--db', db])).code).toBe(1);
  });

  it('refuses the project signer and a missing --signer-ca in production, and bad usage', async () => {
    const own = makeImportSigner(NOW);
    const caFile = path.join(dir, 'ca2.pem');
    writeFileSync(caFile, pem(own.ca.cert.der));
    const f = path.join(dir, 'x.der');
    writeFileSync(f, signImport(encodeEContent([{ action: 'import', hashAut: 'aa'.repeat(32), hashCvc: 'cc'.repeat(32), notAfter: NOW }]), own.signer));
    expect((await cli(['import', f, '--db', db], { POPP_ENV: 'production' })).code).toBe(2);
    const r = await cli(['import', f, '--db', db, '--signer-ca', caFile, '--project-ca', caFile], { POPP_ENV: 'production' });
    expect([r.code, r.err]).toEqual([2, expect.stringContaining('Produktion')]);
    expect((await cli(['frobnicate', f])).code).toBe(2);
  });

  it('works on the configured store: DATA_DIR/popp.sqlite, or DATABASE_URL; pins the service test signer of DATA_DIR', async () => {
    const dataDir = mkdtempSync(path.join(tmpdir(), 'popp-hashdb-data-'));
    const signer = devImportSigner(path.join(dataDir, 'testpki'), NOW).signer;
    const entry = { action: 'import' as const, hashAut: '11'.repeat(32), hashCvc: '22'.repeat(32), notAfter: new Date('2030-01-01T00:00:00Z') };
    const file = path.join(dataDir, 'gen.der');
    writeFileSync(file, signImport(encodeEContent([entry]), signer));

    const viaDataDir = await cli(['import', file, '--json'], { DATA_DIR: dataDir });
    expect(viaDataDir.code).toBe(0);
    const { id } = JSON.parse(viaDataDir.out) as { id: string };
    const store = await openStore({ dataDir });
    try {
      expect(await store.selectFrom('egk_hash_entries').selectAll().where('source', '=', id).execute()).toHaveLength(1);
    } finally {
      await store.destroy();
    }

    const other = path.join(dataDir, 'other.sqlite');
    const viaUrl = await cli(['import', file, '--json'], { DATA_DIR: dataDir, DATABASE_URL: other });
    expect(viaUrl.code).toBe(0);
    expect(existsSync(other)).toBe(true);
    expect((await cli(['status', (JSON.parse(viaUrl.out) as { id: string }).id], { DATA_DIR: dataDir, DATABASE_URL: other })).out).toContain('FINISHED');
    expect((await cli(['status', id], { DATA_DIR: dataDir, DATABASE_URL: other })).code).toBe(1);
  });

  it.skipIf(!interopAvailable())("imports gematik's test file with the default GEM.KOMP-CA61 pin", async () => {
    const file = interopPath('hashdb', '80276883110000144098.eContent-signed');
    const r = await cli(['import', file, '--db', db]);
    expect([r.code, r.out]).toEqual([0, expect.stringContaining('tsp.egk.gematik.solutions')]);
    expect((await cli(['remove', interopPath('hashdb', 'remove', '80276883110000144098.eContent-signed'), '--db', db])).out).toContain('entfernt 1');
  });
});
