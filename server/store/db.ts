/**
 * The only place that knows the SQL driver. SQLite (better-sqlite3, WAL) by default;
 * PostgreSQL when DATABASE_URL is a postgres:// URL. Domain code sees Kysely only.
 */
import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type Migration, type MigrationProvider } from 'kysely';
import { migrations as coreMigrations } from './migrations';
import type { HashDbTables } from '../trust/hashdb/schema';
import type { CoreTables } from './schema';

export type DB = Kysely<CoreTables & HashDbTables>;

export interface StoreOptions {
  dataDir: string;
  databaseUrl?: string;
  /** Extra migrations from domain folders (e.g. the eGK hash database). */
  extraMigrations?: Record<string, Migration>;
}

export async function openStore(opts: StoreOptions): Promise<DB> {
  let db: DB;
  if (opts.databaseUrl && /^postgres(ql)?:\/\//.test(opts.databaseUrl)) {
    const pg = await import('pg');
    const types = pg.default.types;
    types.setTypeParser(20, (v: string) => Number(v)); // int8 holds epoch ms; well inside 2^53
    db = new Kysely<CoreTables & HashDbTables>({ dialect: new PostgresDialect({ pool: new pg.default.Pool({ connectionString: opts.databaseUrl, max: 10 }) }) });
  } else {
    const file = opts.databaseUrl && opts.databaseUrl !== '' ? opts.databaseUrl.replace(/^sqlite:/, '') : path.join(opts.dataDir, 'popp.sqlite');
    if (file !== ':memory:') mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
    const sqlite = new Database(file);
    // The database holds tokens (and so KVNRs): owner-only, also for installs made before this rule.
    for (const f of [file, `${file}-wal`, `${file}-shm`]) if (file !== ':memory:' && existsSync(f)) chmodSync(f, 0o600);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    db = new Kysely<CoreTables & HashDbTables>({ dialect: new SqliteDialect({ database: sqlite }) });
  }
  await migrate(db, { ...coreMigrations, ...(opts.extraMigrations ?? {}) });
  return db;
}

async function migrate(db: DB, all: Record<string, Migration>): Promise<void> {
  const provider: MigrationProvider = { getMigrations: async () => all };
  const { error, results } = await new Migrator({ db, provider }).migrateToLatest();
  if (error) {
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? '?';
    throw new Error(`Datenbank-Migration ${failed} fehlgeschlagen: ${String(error)}`, { cause: error });
  }
}
