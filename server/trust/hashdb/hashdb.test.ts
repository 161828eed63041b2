import { readFileSync, readdirSync } from 'node:fs';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { Kysely, SqliteDialect, sql } from 'kysely';
import { beforeEach, describe, expect, it } from 'vitest';
import { interopAvailable, interopPath } from '../../testing/interop';
import { isTrustError } from '../errors';
import { makeImportSigner, signImport } from '../testing/cms-builder';
import { TrustCert } from '../x509/certificate';
import { importSignerPins, verifySignedImport } from './cms';
import { encodeEContent, parseEContent, type HashDbEntry } from './econtent';
import { HashDbImporter } from './importer';
import { HashDbRepository } from './repository';
import { hashDbMigration, type HashDbTables } from './schema';

const NOW = new Date('2026-03-01T12:00:00Z');
const hex = (n: number) => n.toString(16).padStart(2, '0').repeat(32);

async function memoryDb(): Promise<Kysely<HashDbTables>> {
  const db = new Kysely<HashDbTables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
  await hashDbMigration.up(db);
  return db;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isTrustError(e) ? e.code : `not a TrustError: ${String(e)}`;
  }
  return 'nothing thrown';
}

describe('A_27045 eContent', () => {
  it('round-trips any entries', () => {
    const entry = fc.record({
      action: fc.constantFrom('import' as const, 'remove' as const),
      hashAut: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
      hashCvc: fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
      notAfter: fc.integer({ min: Date.UTC(1990, 0, 1) / 1000, max: Date.UTC(2049, 11, 31) / 1000 }).map((s) => new Date(s * 1000)),
    });
    fc.assert(fc.property(fc.array(entry, { minLength: 1, maxLength: 20 }), (entries: HashDbEntry[]) => {
        expect(parseEContent(encodeEContent(entries))).toEqual(entries);
      }),
    );
  });

  it('refuses a wrong version, a short hash, an unknown status and trailing bytes', () => {
    const ok = encodeEContent([{ action: 'import', hashAut: hex(1), hashCvc: hex(2), notAfter: NOW }]);
    const variants = [
      Uint8Array.from(ok).fill(1, 4, 5), // version 1
      encodeEContent([{ action: 'import', hashAut: hex(1).slice(2), hashCvc: hex(2), notAfter: NOW }]),
      Uint8Array.from([...ok, 0]),
    ];
    const status2 = Uint8Array.from(ok);
    status2[ok.indexOf(0x31) + 4] = 2;
    for (const v of [...variants, status2]) expect(codeOf(() => parseEContent(v))).toBe('IMPORT_MALFORMED');
  });
});

describe.skipIf(!interopAvailable())("gematik's signed hash files", () => {
  const komp = TrustCert.fromBase64(readFileSync(interopPath('x509/GEM.KOMP-CA61-TEST-ONLY.pem'), 'utf8').replace(/-----[^-]+-----/g, ''));
  const pins = importSignerPins({ env: 'development', gematik: [komp] });
  const files = readdirSync(interopPath('hashdb')).filter((f) => f.endsWith('.eContent-signed'));
  const read = (...p: string[]) => new Uint8Array(readFileSync(interopPath('hashdb', ...p)));

  it('verify with the pinned GEM.KOMP-CA61 signer and hold one import entry each', () => {
    expect(files.length).toBe(6);
    for (const f of files) {
      const v = verifySignedImport(read(f), { pins, now: NOW });
      expect(v.signer.subjectCn).toBe('tsp.egk.gematik.solutions');
      const entries = parseEContent(v.eContent);
      expect(entries).toEqual([expect.objectContaining({ action: 'import', notAfter: new Date('2027-09-29T23:59:59Z') })]);
      const removal = parseEContent(verifySignedImport(read('remove', f), { pins, now: NOW }).eContent);
      expect(removal).toEqual([{ ...entries[0], action: 'remove' }]);
    }
  });

  it('refuses the same content re-signed by a self-made "GEM.KOMP-CA61 TEST-ONLY" with the right role', () => {
    const content = verifySignedImport(read(files[0]!), { pins, now: NOW }).eContent;
    const fake = makeImportSigner(NOW, { caName: 'GEM.KOMP-CA61 TEST-ONLY' });
    expect(codeOf(() => verifySignedImport(signImport(content, fake.signer), { pins, now: NOW }))).toBe('IMPORT_SIGNER_UNTRUSTED');
  });

  it('refuses truncated, extended, oversized and tampered files', () => {
    const file = read(files[0]!);
    expect(codeOf(() => verifySignedImport(file.subarray(0, file.length - 1), { pins, now: NOW }))).toBe('IMPORT_MALFORMED');
    expect(codeOf(() => verifySignedImport(file.subarray(0, 200), { pins, now: NOW }))).toBe('IMPORT_MALFORMED');
    expect(codeOf(() => verifySignedImport(Uint8Array.from([...file, 0]), { pins, now: NOW }))).toBe('IMPORT_MALFORMED');
    expect(codeOf(() => verifySignedImport(file, { pins, now: NOW, maxBytes: 1000 }))).toBe('IMPORT_TOO_LARGE');
    const tampered = Uint8Array.from(file);
    const at = Buffer.from(file).indexOf(Buffer.from('170d323730393239', 'hex')); // notAfter UTCTime 270929…
    tampered[at + 3] = 0x38; // 2027 → 2028
    expect(codeOf(() => verifySignedImport(tampered, { pins, now: NOW }))).toBe('IMPORT_SIGNATURE_INVALID');
    expect(codeOf(() => verifySignedImport(file, { pins, now: new Date('2031-01-01T00:00:00Z') }))).toBe('IMPORT_SIGNER_UNTRUSTED');
  });

  it('every file imports, its entry is found, and the matching remove file removes it', async () => {
    const db = await memoryDb();
    const importer = new HashDbImporter({ db, pins, now: () => NOW });
    for (const f of files) {
      const entry = parseEContent(verifySignedImport(read(f), { pins, now: NOW }).eContent)[0]!;
      const job = await importer.run(read(f));
      expect(job).toMatchObject({ status: 'FINISHED', imported: 1, signer: 'tsp.egk.gematik.solutions' });
      expect(await importer.repo.find(entry)).toMatchObject({ state: 'imported', not_after: entry.notAfter.getTime() });
      expect((await importer.run(read('remove', f), 'remove')).removed).toBe(1);
      expect(await importer.repo.find(entry)).toBeUndefined();
    }
    expect((await importer.run(read(files[0]!), 'remove')).error_code).toBe('IMPORT_NOT_A_REMOVAL');
    await db.destroy();
  });
});

describe('hash DB with the project test signer', () => {
  let db: Kysely<HashDbTables>;
  const own = makeImportSigner(NOW);
  const pins = importSignerPins({ env: 'development', gematik: [], project: [own.ca.cert] });
  const file = (entries: HashDbEntry[]) => signImport(encodeEContent(entries), own.signer);
  const e = (aut: number, cvc: number, action: 'import' | 'remove' = 'import'): HashDbEntry => ({ action, hashAut: hex(aut), hashCvc: hex(cvc), notAfter: new Date('2030-01-01T00:00:00Z') });

  beforeEach(async () => {
    db = await memoryDb();
  });

  it('is refused as configuration in production, as is gematik test material', () => {
    expect(codeOf(() => importSignerPins({ env: 'production', gematik: [], project: [own.ca.cert] }))).toBe('CONFIG_INVALID');
    expect(codeOf(() => importSignerPins({ env: 'production', gematik: [own.ca.cert] }))).toBe('CONFIG_INVALID');
  });

  it('refuses a signer without oid_tsp-egk', async () => {
    const noRole = makeImportSigner(NOW, { role: '1.2.276.0.76.4.50' });
    const job = await new HashDbImporter({ db, pins: importSignerPins({ env: 'test', gematik: [], project: [noRole.ca.cert] }), now: () => NOW }).run(
      signImport(encodeEContent([e(1, 1)]), noRole.signer),
    );
    expect(job).toMatchObject({ status: 'FAILED', error_code: 'IMPORT_SIGNER_UNTRUSTED' });
  });

  it('applies nothing when the database fails half-way (one transaction)', async () => {
    await sql.raw(`create trigger boom before insert on egk_hash_entries when new.hash_aut = '${hex(3)}' begin select raise(abort, 'boom'); end`).execute(db);
    const importer = new HashDbImporter({ db, pins, now: () => NOW });
    const entries = [e(1, 1), e(2, 2), e(9, 9, 'remove'), e(3, 3)];
    const job = await importer.run(file(entries));
    expect(job.status).toBe('FAILED');
    expect(await importer.repo.count()).toBe(0);
  });

  it('reports job states: scheduled, then finished; unknown ids are 404', async () => {
    const importer = new HashDbImporter({ db, pins, now: () => NOW });
    const { jobId } = await importer.submit(file([e(1, 1), e(2, 2)]));
    expect(['SCHEDULED_FOR_RUNNING', 'RUNNING', 'FINISHED']).toContain((await importer.status(jobId)).status);
    expect(await importer.wait(jobId)).toMatchObject({ status: 'FINISHED', entries: 2, imported: 2 });
    await expect(importer.status('nope')).rejects.toMatchObject({ code: 'IMPORT_JOB_NOT_FOUND' });
  });

  it('contact: known → match, new → ad hoc, paired elsewhere → block all (79501), blocked → 79515', async () => {
    const importer = new HashDbImporter({ db, pins, now: () => NOW });
    await importer.run(file([e(1, 1), e(2, 2)]));
    const repo = new HashDbRepository(db);
    const pair = (a: number, c: number) => ({ hashAut: hex(a), hashCvc: hex(c), notAfter: new Date('2030-01-01T00:00:00Z') });
    expect(await repo.contactCheck(pair(1, 1), NOW)).toBe('match');
    expect(await repo.contactCheck(pair(5, 5), NOW)).toBe('ad-hoc');
    expect(await repo.find(pair(5, 5))).toMatchObject({ state: 'ad_hoc', source: 'contact' });
    await expect(repo.contactCheck(pair(1, 2), NOW)).rejects.toMatchObject({ code: 'HASHDB_PAIRED_ELSEWHERE', bde: 79501 });
    for (const p of [pair(1, 1), pair(2, 2), pair(1, 2)]) expect((await repo.find(p))?.state).toBe('blocked');
    await expect(repo.contactCheck(pair(1, 1), NOW)).rejects.toMatchObject({ code: 'HASHDB_BLOCKED', bde: 79515 });
    // a later import of the same pair does not lift the block
    await importer.run(file([e(1, 1)]));
    expect((await repo.find(pair(1, 1)))?.state).toBe('blocked');
  });

  it('contactless: known → match, unknown → 79510, mismatch or blocked → 79118', async () => {
    await new HashDbImporter({ db, pins, now: () => NOW }).run(file([e(1, 1), e(2, 2)]));
    const repo = new HashDbRepository(db);
    expect(await repo.contactlessCheck({ hashAut: hex(1), hashCvc: hex(1) })).toBe('match');
    await expect(repo.contactlessCheck({ hashAut: hex(7), hashCvc: hex(7) })).rejects.toMatchObject({ code: 'HASHDB_UNKNOWN_CONTACTLESS', bde: 79510 });
    await expect(repo.contactlessCheck({ hashAut: hex(1), hashCvc: hex(2) })).rejects.toMatchObject({ code: 'HASHDB_MISMATCH_CONTACTLESS', bde: 79118 });
    expect(await repo.count()).toBe(2); // contactless never stores
  });

  it('the migration goes down cleanly', async () => {
    await hashDbMigration.down(db);
    const tables = await db.introspection.getTables();
    expect(tables.map((t) => t.name)).not.toContain('egk_hash_entries');
  });
});
