/**
 * `popp hashdb import <file> | remove <file> | status <jobId>`: imports gematik's signed eGK
 * hash files into the configured database (the same job records as the admin API). Signer CAs
 * are pinned per environment: outside production gematik's test CA (GEM.KOMP-CA61 TEST-ONLY,
 * from the interop folder unless --signer-ca names others) and optionally the project's test
 * signer CA; in production only the CAs named with --signer-ca.
 * Exit codes: 0 done, 1 import failed, 2 usage or configuration error.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Kysely } from 'kysely';
import { interopPath } from '../testing/interop';
import type { PoppEnv } from '../trust/env';
import { TrustError, isTrustError } from '../trust/errors';
import { importSignerPins, type ImportSignerPin } from '../trust/hashdb/cms';
import { HashDbImporter, type ImportJob } from '../trust/hashdb/importer';
import { hashDbMigration, type HashDbTables } from '../trust/hashdb/schema';
import { TrustCert } from '../trust/x509/certificate';

export interface HashDbCliIo {
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  now?: () => Date;
  /** Opens the database with all migrations applied; default: the service store. */
  openDb?: (file: string) => Promise<{ db: Kysely<HashDbTables>; close(): Promise<void> }>;
}

const USAGE = [
  'Aufruf: popp hashdb import <datei> [--db <sqlite-datei>] [--signer-ca <pem>]… [--project-ca <pem>]… [--json]',
  '        popp hashdb remove <datei> [--db <sqlite-datei>] …',
  '        popp hashdb status <auftrags-id> [--db <sqlite-datei>] [--json]',
  '',
  'Datenbank: --db, sonst DATABASE_URL (SQLite-Datei oder postgres://…), sonst $DATA_DIR/popp.sqlite.',
  'Importiert signierte eGK-Hash-Dateien (A_27045, CMS) in die Hash-Datenbank des Dienstes.',
  'Die Signatur muss von einem Signer mit Rolle oid_tsp-egk unter einer hinterlegten CA stammen:',
  '  außerhalb der Produktion GEM.KOMP-CA61 TEST-ONLY (oder --signer-ca) und --project-ca',
  '  (Standard: der Test-PKI-Signer des Dienstes, $DATA_DIR/testpki/hashdb-signer/ca.pem),',
  '  in Produktion (POPP_ENV=production) nur die mit --signer-ca angegebenen CAs.',
  'Exit-Code: 0 erledigt, 1 Import fehlgeschlagen, 2 Aufruf- oder Konfigurationsfehler.',
].join('\n');

function readCert(file: string): TrustCert {
  const raw = readFileSync(file);
  const text = raw.toString('latin1');
  if (text.includes('-----BEGIN CERTIFICATE-----')) {
    return TrustCert.fromBase64(text.replace(/-----[^-]+-----/g, ''), path.basename(file));
  }
  return TrustCert.parse(raw, path.basename(file));
}

function pinsFor(env: PoppEnv, signerCas: string[], projectCas: string[], dataDir: string): ImportSignerPin[] {
  let gematik = signerCas.map(readCert);
  if (gematik.length === 0) {
    if (env === 'production') throw new TrustError('CONFIG_INVALID', 'In Produktion muss --signer-ca die CA des Import-Signers nennen');
    const fallback = interopPath('x509', 'GEM.KOMP-CA61-TEST-ONLY.pem');
    if (existsSync(fallback)) gematik = [readCert(fallback)];
  }
  // Outside production the service also pins its test-PKI import signer (DATA_DIR/testpki/hashdb-signer): the CLI does the same.
  const devSigner = path.join(dataDir, 'testpki', 'hashdb-signer', 'ca.pem');
  const project = projectCas.length === 0 && env !== 'production' && existsSync(devSigner) ? [devSigner] : projectCas;
  const pins = importSignerPins({ env, gematik, project: project.map(readCert) });
  if (pins.length === 0) throw new TrustError('CONFIG_INVALID', 'Keine Signer-CA hinterlegt: --signer-ca <pem> angeben');
  return pins;
}

/** `--db` (a SQLite file), else DATABASE_URL (SQLite file or postgres://…), else DATA_DIR/popp.sqlite: the service's own store. */
function databaseOf(flag: string | undefined, env: Record<string, string | undefined>): string {
  return flag ?? (env.DATABASE_URL || path.join(env.DATA_DIR ?? './data', 'popp.sqlite'));
}

async function defaultOpenDb(target: string) {
  const { openStore } = await import('../store/db');
  const postgres = /^postgres(ql)?:\/\//.test(target);
  const db = (await openStore({
    dataDir: postgres ? '.' : path.dirname(target.replace(/^sqlite:/, '')),
    databaseUrl: target,
    extraMigrations: { [hashDbMigration.name]: hashDbMigration },
  })) as unknown as Kysely<HashDbTables>;
  return { db, close: () => db.destroy() };
}

function describeJob(job: ImportJob): string[] {
  const lines = [`Auftrag ${job.id}: ${job.status}`];
  if (job.signer) lines.push(`  Signer: ${job.signer}`);
  if (job.status === 'FINISHED') lines.push(`  Einträge: ${job.entries} (importiert ${job.imported}, entfernt ${job.removed}, nicht gefunden ${job.not_found})`);
  if (job.error_code) lines.push(`  Fehler: ${job.error_code}: ${job.error_message ?? ''}`);
  return lines;
}

export async function runHashDbCli(args: string[], io: HashDbCliIo): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      options: {
        db: { type: 'string' },
        'signer-ca': { type: 'string', multiple: true },
        'project-ca': { type: 'string', multiple: true },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (e) {
    io.err(`${(e as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const [command, arg, ...extra] = parsed.positionals;
  if (parsed.values.help) {
    io.out(USAGE);
    return 0;
  }
  if (!command || !arg || extra.length > 0 || !['import', 'remove', 'status'].includes(command)) {
    io.err(USAGE);
    return 2;
  }
  const env: PoppEnv = io.env.POPP_ENV === 'production' ? 'production' : 'development';
  const dbFile = databaseOf(parsed.values.db, io.env);
  const now = io.now ?? (() => new Date());

  let pins: ImportSignerPin[] = [];
  let file: Uint8Array | undefined;
  try {
    if (command !== 'status') {
      pins = pinsFor(env, parsed.values['signer-ca'] ?? [], parsed.values['project-ca'] ?? [], io.env.DATA_DIR ?? './data');
      file = new Uint8Array(readFileSync(arg));
    }
  } catch (e) {
    io.err(isTrustError(e) ? e.message : `Datei nicht lesbar: ${(e as Error).message}`);
    return 2;
  }

  const { db, close } = await (io.openDb ?? defaultOpenDb)(dbFile);
  try {
    const importer = new HashDbImporter({ db, pins, now });
    let job: ImportJob;
    try {
      job = command === 'status' ? await importer.status(arg) : await importer.run(file!, command as 'import' | 'remove');
    } catch (e) {
      if (!isTrustError(e)) throw e;
      io.err(`${e.code}: ${e.message}`);
      return e.code === 'IMPORT_JOB_NOT_FOUND' ? 1 : 2;
    }
    if (parsed.values.json) io.out(JSON.stringify(job));
    else for (const line of describeJob(job)) io.out(line);
    return job.status === 'FAILED' ? 1 : 0;
  } finally {
    await close();
  }
}

export async function run(args: string[]): Promise<number> {
  return runHashDbCli(args, { out: (l) => console.log(l), err: (l) => console.error(l), env: process.env });
}
