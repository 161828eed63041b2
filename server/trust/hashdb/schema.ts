/**
 * Tables of the eGK hash database. Hashes are lower-case hex (portable between SQLite and
 * PostgreSQL, readable in logs of operators, not secret: SHA-256 of public certificates);
 * times are epoch milliseconds like the core tables. The lead registers `hashDbMigration`.
 */
import type { Kysely } from 'kysely';

/** Sample server's states: imported by gematik's file, seen first at a card ("ad hoc"), or blocked. */
export type HashEntryState = 'imported' | 'ad_hoc' | 'blocked';
/** Job states of gematik's import API (I_PoPP_EHC_CertHash_Import). */
export type ImportJobStatus = 'SCHEDULED_FOR_RUNNING' | 'RUNNING' | 'FINISHED' | 'FAILED';

export interface EgkHashEntryTable {
  hash_aut: string;
  hash_cvc: string;
  state: HashEntryState;
  not_after: number;
  created_at: number;
  updated_at: number;
  /** Import job id, or 'contact' for pairs stored ad hoc by a card check. */
  source: string;
}

export interface EgkHashImportJobTable {
  id: string;
  kind: 'import' | 'remove';
  status: ImportJobStatus;
  file_sha256: string;
  file_bytes: number;
  signer: string | null;
  entries: number;
  imported: number;
  removed: number;
  not_found: number;
  error_code: string | null;
  error_message: string | null;
  created_at: number;
  started_at: number | null;
  finished_at: number | null;
}

export interface HashDbTables {
  egk_hash_entries: EgkHashEntryTable;
  egk_hash_import_jobs: EgkHashImportJobTable;
}

// Schema builder only, so the same migration runs on SQLite and PostgreSQL.
export const hashDbMigration = {
  name: '0100_hashdb',
  async up(db: Kysely<any>): Promise<void> {
    await db.schema
      .createTable('egk_hash_entries')
      .addColumn('hash_aut', 'text', (c) => c.notNull())
      .addColumn('hash_cvc', 'text', (c) => c.notNull())
      .addColumn('state', 'text', (c) => c.notNull())
      .addColumn('not_after', 'bigint', (c) => c.notNull())
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('updated_at', 'bigint', (c) => c.notNull())
      .addColumn('source', 'text', (c) => c.notNull())
      .addPrimaryKeyConstraint('egk_hash_entries_pk', ['hash_aut', 'hash_cvc'])
      .execute();
    // The pair check looks up either hash alone; hash_aut is covered by the primary key.
    await db.schema.createIndex('egk_hash_entries_cvc').on('egk_hash_entries').column('hash_cvc').execute();

    await db.schema
      .createTable('egk_hash_import_jobs')
      .addColumn('id', 'text', (c) => c.primaryKey())
      .addColumn('kind', 'text', (c) => c.notNull())
      .addColumn('status', 'text', (c) => c.notNull())
      .addColumn('file_sha256', 'text', (c) => c.notNull())
      .addColumn('file_bytes', 'bigint', (c) => c.notNull())
      .addColumn('signer', 'text')
      .addColumn('entries', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('imported', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('removed', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('not_found', 'integer', (c) => c.notNull().defaultTo(0))
      .addColumn('error_code', 'text')
      .addColumn('error_message', 'text')
      .addColumn('created_at', 'bigint', (c) => c.notNull())
      .addColumn('started_at', 'bigint')
      .addColumn('finished_at', 'bigint')
      .execute();
  },
  async down(db: Kysely<any>): Promise<void> {
    await db.schema.dropTable('egk_hash_import_jobs').ifExists().execute();
    await db.schema.dropTable('egk_hash_entries').ifExists().execute();
  },
};
