/**
 * Import jobs for gematik's signed hash files (I_PoPP_EHC_CertHash_Import: 201 {jobId}, then
 * SCHEDULED_FOR_RUNNING → RUNNING → FINISHED | FAILED). A file is verified and parsed
 * completely before the database is touched, and its entries go in with the job's final status
 * in one transaction: a file is either applied entirely or not at all.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { TrustError, isTrustError } from '../errors';
import { DEFAULT_MAX_IMPORT_BYTES, verifySignedImport, type ImportSignerPin } from './cms';
import { parseEContent } from './econtent';
import { HashDbRepository } from './repository';
import type { EgkHashImportJobTable, HashDbTables } from './schema';

export type ImportJob = EgkHashImportJobTable;

export interface HashDbImporterOptions {
  db: Kysely<HashDbTables>;
  pins: readonly ImportSignerPin[];
  now: () => Date;
  maxBytes?: number;
  newId?: () => string;
}

export class HashDbImporter {
  readonly repo: HashDbRepository;
  private readonly running = new Map<string, Promise<ImportJob>>();

  constructor(private readonly opts: HashDbImporterOptions) {
    this.repo = new HashDbRepository(opts.db);
  }

  /**
   * Registers a job and starts it; resolves with the job id once the job is recorded. Files above
   * the size limit are refused before a job exists (the API answers 413).
   */
  async submit(file: Uint8Array, kind: 'import' | 'remove' = 'import'): Promise<{ jobId: string }> {
    const jobId = await this.createJob(file, kind);
    const p = this.process(jobId, file, kind).finally(() => this.running.delete(jobId));
    this.running.set(jobId, p);
    return { jobId };
  }

  /** Submits and waits for the end of the job. File errors end up in the job, not as exceptions. */
  async run(file: Uint8Array, kind: 'import' | 'remove' = 'import'): Promise<ImportJob> {
    const { jobId } = await this.submit(file, kind);
    return this.wait(jobId);
  }

  async wait(jobId: string): Promise<ImportJob> {
    await this.running.get(jobId);
    return this.status(jobId);
  }

  async status(jobId: string): Promise<ImportJob> {
    const job = await this.opts.db.selectFrom('egk_hash_import_jobs').selectAll().where('id', '=', jobId).executeTakeFirst();
    if (!job) throw new TrustError('IMPORT_JOB_NOT_FOUND', `Importauftrag ${jobId} unbekannt`);
    return job;
  }

  /**
   * Deletes a finished or failed job record (gematik's DELETE …/{jobId}); the entries it imported
   * stay. A job still scheduled or running is refused (IMPORT_JOB_RUNNING, 409).
   */
  async deleteJob(jobId: string): Promise<void> {
    const job = await this.status(jobId);
    if (this.running.has(jobId) || job.status === 'SCHEDULED_FOR_RUNNING' || job.status === 'RUNNING') {
      throw new TrustError('IMPORT_JOB_RUNNING', `Importauftrag ${jobId} läuft noch`);
    }
    await this.opts.db.deleteFrom('egk_hash_import_jobs').where('id', '=', jobId).execute();
  }

  private async createJob(file: Uint8Array, kind: 'import' | 'remove'): Promise<string> {
    const max = this.opts.maxBytes ?? DEFAULT_MAX_IMPORT_BYTES;
    if (file.byteLength > max) throw new TrustError('IMPORT_TOO_LARGE', `Importdatei zu groß (${file.byteLength} > ${max} Bytes)`);
    const id = (this.opts.newId ?? randomUUID)();
    await this.opts.db
      .insertInto('egk_hash_import_jobs')
      .values({
        id,
        kind,
        status: 'SCHEDULED_FOR_RUNNING',
        file_sha256: createHash('sha256').update(file).digest('hex'),
        file_bytes: file.byteLength,
        signer: null,
        entries: 0,
        imported: 0,
        removed: 0,
        not_found: 0,
        error_code: null,
        error_message: null,
        created_at: this.opts.now().getTime(),
        started_at: null,
        finished_at: null,
      })
      .execute();
    return id;
  }

  private async process(id: string, file: Uint8Array, kind: 'import' | 'remove'): Promise<ImportJob> {
    const db = this.opts.db;
    await db.updateTable('egk_hash_import_jobs').set({ status: 'RUNNING', started_at: this.opts.now().getTime() }).where('id', '=', id).execute();
    try {
      const now = this.opts.now();
      const verified = verifySignedImport(file, { pins: this.opts.pins, now, maxBytes: this.opts.maxBytes });
      const entries = parseEContent(verified.eContent);
      if (kind === 'remove' && entries.some((e) => e.action !== 'remove')) {
        throw new TrustError('IMPORT_NOT_A_REMOVAL', 'Die Datei enthält Import-Einträge, erwartet waren nur Löschungen');
      }
      await db.transaction().execute(async (trx) => {
        const counts = await this.repo.apply(trx, entries, id, now.getTime());
        await trx
          .updateTable('egk_hash_import_jobs')
          .set({
            status: 'FINISHED',
            signer: verified.signer.subjectCn ?? verified.signer.fingerprint256,
            entries: entries.length,
            imported: counts.imported,
            removed: counts.removed,
            not_found: counts.notFound,
            finished_at: this.opts.now().getTime(),
          })
          .where('id', '=', id)
          .execute();
      });
    } catch (e) {
      await db
        .updateTable('egk_hash_import_jobs')
        .set({
          status: 'FAILED',
          error_code: isTrustError(e) ? e.code : 'INTERNAL',
          error_message: (e as Error).message.slice(0, 500),
          finished_at: this.opts.now().getTime(),
        })
        .where('id', '=', id)
        .execute();
    }
    return this.status(id);
  }
}
