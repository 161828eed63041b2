/**
 * The eGK hash database: pairs (hashAut, hashCvc) that belong together. Import files add and
 * remove pairs; card checks read them (sample server semantics, popp-reference.md §2):
 * - contact: known pair → accept (blocked → 79515); unknown pair whose hashes are both new →
 *   store "ad hoc" and accept; either hash already paired with another → block every related
 *   entry and the new pair, 79501.
 * - contactless: the pair must be known and unblocked; unknown → 79510, otherwise 79118.
 * Every check runs in one transaction, so a blocking decision is all-or-nothing.
 */
import { sql, type Kysely, type Transaction } from 'kysely';
import { TrustError } from '../errors';
import type { HashDbEntry } from './econtent';
import type { EgkHashEntryTable, HashDbTables } from './schema';

export interface HashPair {
  /** SHA-256 of C.CH.AUT.E256, lower-case hex. */
  hashAut: string;
  /** SHA-256 of the card's end-entity CVC, lower-case hex. */
  hashCvc: string;
}

export interface ApplyCounts {
  imported: number;
  removed: number;
  notFound: number;
}

type Db = Kysely<HashDbTables> | Transaction<HashDbTables>;
const BATCH = 500; // 7 values a row stays far below SQLite's and PostgreSQL's parameter limits

export class HashDbRepository {
  constructor(readonly db: Kysely<HashDbTables>) {}

  private related(db: Db, p: HashPair) {
    return db
      .selectFrom('egk_hash_entries')
      .selectAll()
      .where((eb) => eb.or([eb('hash_aut', '=', p.hashAut), eb('hash_cvc', '=', p.hashCvc)]))
      .execute();
  }

  async find(p: HashPair): Promise<EgkHashEntryTable | undefined> {
    return this.db.selectFrom('egk_hash_entries').selectAll().where('hash_aut', '=', p.hashAut).where('hash_cvc', '=', p.hashCvc).executeTakeFirst();
  }

  async count(): Promise<number> {
    const r = await this.db.selectFrom('egk_hash_entries').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(r.n);
  }

  /**
   * Applies import-file entries in file order inside the caller's transaction. An imported pair
   * that is blocked stays blocked: a file from gematik does not lift a conflict seen at a card.
   */
  async apply(trx: Transaction<HashDbTables>, entries: readonly HashDbEntry[], source: string, now: number): Promise<ApplyCounts> {
    const counts: ApplyCounts = { imported: 0, removed: 0, notFound: 0 };
    let i = 0;
    while (i < entries.length) {
      const action = entries[i]!.action;
      let j = i;
      while (j < entries.length && entries[j]!.action === action && j - i < BATCH) j++;
      const run = entries.slice(i, j);
      if (action === 'import') {
        await trx
          .insertInto('egk_hash_entries')
          .values(run.map((e) => ({ hash_aut: e.hashAut, hash_cvc: e.hashCvc, state: 'imported' as const, not_after: e.notAfter.getTime(), created_at: now, updated_at: now, source })))
          .onConflict((oc) =>
            oc.columns(['hash_aut', 'hash_cvc']).doUpdateSet({
              state: sql`case when egk_hash_entries.state = 'blocked' then 'blocked' else 'imported' end`,
              not_after: (eb) => eb.ref('excluded.not_after'),
              updated_at: now,
              source,
            }),
          )
          .execute();
        counts.imported += run.length;
      } else {
        for (const e of run) {
          const r = await trx.deleteFrom('egk_hash_entries').where('hash_aut', '=', e.hashAut).where('hash_cvc', '=', e.hashCvc).executeTakeFirst();
          if (Number(r.numDeletedRows) > 0) counts.removed++;
          else counts.notFound++;
        }
      }
      i = j;
    }
    return counts;
  }

  /** Contact (trusted channel) check; returns whether the pair was known or is new (ad hoc). */
  async contactCheck(p: HashPair & { notAfter: Date }, now: Date): Promise<'match' | 'ad-hoc'> {
    const t = now.getTime();
    const outcome = await this.db.transaction().execute(async (trx) => {
      const related = await this.related(trx, p);
      const exact = related.find((r) => r.hash_aut === p.hashAut && r.hash_cvc === p.hashCvc);
      if (exact) return exact.state === 'blocked' ? 'blocked' : 'match';
      const row = { hash_aut: p.hashAut, hash_cvc: p.hashCvc, not_after: p.notAfter.getTime(), created_at: t, updated_at: t, source: 'contact' };
      if (related.length === 0) {
        await trx.insertInto('egk_hash_entries').values({ ...row, state: 'ad_hoc' }).onConflict((oc) => oc.doNothing()).execute();
        return 'ad-hoc';
      }
      await trx
        .updateTable('egk_hash_entries')
        .set({ state: 'blocked', updated_at: t })
        .where((eb) => eb.or([eb('hash_aut', '=', p.hashAut), eb('hash_cvc', '=', p.hashCvc)]))
        .execute();
      await trx.insertInto('egk_hash_entries').values({ ...row, state: 'blocked' }).onConflict((oc) => oc.doNothing()).execute();
      return 'paired-elsewhere';
    });
    if (outcome === 'blocked') throw new TrustError('HASHDB_BLOCKED', 'Das Zertifikatspaar der eGK ist gesperrt');
    if (outcome === 'paired-elsewhere') throw new TrustError('HASHDB_PAIRED_ELSEWHERE', 'Ein Zertifikat der eGK ist bereits mit einem anderen gepaart; alle betroffenen Einträge gesperrt');
    return outcome;
  }

  /** Contactless (CVC-authenticated) check: the X.509 read is not authentic, so the pair must be known. */
  async contactlessCheck(p: HashPair): Promise<'match'> {
    const related = await this.related(this.db, p);
    if (related.length === 0) throw new TrustError('HASHDB_UNKNOWN_CONTACTLESS', 'Zertifikatspaar der eGK ist unbekannt');
    const exact = related.find((r) => r.hash_aut === p.hashAut && r.hash_cvc === p.hashCvc);
    if (!exact || exact.state === 'blocked') throw new TrustError('HASHDB_MISMATCH_CONTACTLESS', 'Zertifikatspaar der eGK passt nicht oder ist gesperrt');
    return 'match';
  }
}
