/**
 * Check-in records: one state model for every flow (consent code, eGK, static QR).
 * Every change is a conditional update out of `waiting`, so two racing requests
 * (confirm twice, confirm vs. decline vs. expiry) can never both win.
 */
import { sql } from 'kysely';
import type { EventBus } from '../events/bus';
import type { DB } from '../store/db';
import type { CheckinFlow, CheckinReason, CheckinState, CheckinTable } from '../store/schema';
import { newId } from '../util/crypto';

export type CheckinRow = Omit<CheckinTable, 'version'> & { version: number };

export interface RecordDeps {
  db: DB;
  bus: EventBus;
  now: () => number;
}

export async function createCheckin(
  deps: RecordDeps,
  input: { practiceId: string; workplaceId?: string | null; flow: CheckinFlow; codeHash?: string | null; expiresAt?: number | null },
): Promise<CheckinRow> {
  const now = deps.now();
  const row = {
    id: newId(),
    practice_id: input.practiceId,
    workplace_id: input.workplaceId ?? null,
    flow: input.flow,
    state: 'waiting' as const,
    reason: null,
    code_hash: input.codeHash ?? null,
    created_at: now,
    expires_at: input.expiresAt ?? null,
    updated_at: now,
    display_name: null,
    token: null,
    token_issued_at: null,
  };
  await deps.db.insertInto('checkins').values(row).execute();
  deps.bus.publish({ practiceId: row.practice_id, checkinId: row.id, version: 1 });
  return { ...row, version: 1 };
}

/**
 * Moves a waiting check-in to its final (or pending) state. Returns the new row,
 * or null when the record was no longer waiting: the caller lost the race.
 */
export async function finishCheckin(
  deps: RecordDeps,
  id: string,
  to: { state: Exclude<CheckinState, 'waiting'>; reason?: CheckinReason | null; displayName?: string | null; token?: string | null },
  db: DB = deps.db,
): Promise<CheckinRow | null> {
  const now = deps.now();
  // Only expiry itself may act on a record whose time has run out; everything else loses to it.
  const expiring = to.reason === 'expired';
  const updated = await db
    .updateTable('checkins')
    .set({
      state: to.state,
      reason: to.reason ?? null,
      display_name: to.displayName ?? null,
      token: to.token ?? null,
      token_issued_at: to.token ? now : null,
      updated_at: now,
      version: sql<number>`version + 1`,
    })
    .where('id', '=', id)
    .where('state', '=', 'waiting')
    .$if(!expiring, (q) => q.where((eb) => eb.or([eb('expires_at', 'is', null), eb('expires_at', '>', now)])))
    .returningAll()
    .executeTakeFirst();
  return (updated as CheckinRow | undefined) ?? null;
}

export function publishChange(deps: RecordDeps, row: CheckinRow): void {
  deps.bus.publish({ practiceId: row.practice_id, checkinId: row.id, version: row.version });
}

export async function findCheckin(db: DB, id: string): Promise<CheckinRow | undefined> {
  return (await db.selectFrom('checkins').selectAll().where('id', '=', id).executeTakeFirst()) as CheckinRow | undefined;
}

export async function findByCodeHash(db: DB, codeHash: string): Promise<CheckinRow | undefined> {
  return (await db.selectFrom('checkins').selectAll().where('code_hash', '=', codeHash).executeTakeFirst()) as CheckinRow | undefined;
}

/** Marks every waiting check-in whose time ran out as canceled/expired and tells the dashboards. */
export async function expireDue(deps: RecordDeps): Promise<number> {
  const now = deps.now();
  const due = await deps.db
    .selectFrom('checkins')
    .select(['id'])
    .where('state', '=', 'waiting')
    .where('expires_at', 'is not', null)
    .where('expires_at', '<=', now)
    .execute();
  let n = 0;
  for (const { id } of due) {
    const row = await finishCheckin(deps, id, { state: 'canceled', reason: 'expired' });
    if (row) {
      n++;
      publishChange(deps, row);
    }
  }
  return n;
}

/**
 * Housekeeping: drops expired challenges, sessions, setup links and login bindings, and
 * removes tokens and names from check-ins older than the retention period (the record
 * and its state stay for the audit trail).
 */
export async function purgeExpired(deps: RecordDeps, retentionMs: number): Promise<void> {
  const now = deps.now();
  await deps.db.deleteFrom('webauthn_challenges').where('expires_at', '<=', now).execute();
  await deps.db.deleteFrom('staff_sessions').where('expires_at', '<=', now).execute();
  await deps.db.deleteFrom('setup_tokens').where('expires_at', '<=', now).execute();
  await deps.db.deleteFrom('oidc_bindings').where('created_at', '<=', now - 3600_000).execute();
  await deps.db
    .updateTable('checkins')
    .set({ token: null, display_name: null })
    .where('updated_at', '<=', now - retentionMs)
    .where('token', 'is not', null)
    .execute();
}

/** The dashboard's view: newest first, bounded, for one practice only. */
export async function listCheckins(db: DB, practiceId: string, limit = 50): Promise<CheckinRow[]> {
  return (await db
    .selectFrom('checkins')
    .selectAll()
    .where('practice_id', '=', practiceId)
    .orderBy('created_at', 'desc')
    .limit(limit)
    .execute()) as CheckinRow[];
}

/** The state a viewer should see: a waiting record past its expiry is expired even before the sweeper ran. */
export function effectiveState(row: CheckinRow, now: number): { state: CheckinState; reason: CheckinReason | null } {
  if (row.state === 'waiting' && row.expires_at !== null && row.expires_at <= now) return { state: 'canceled', reason: 'expired' };
  return { state: row.state, reason: row.reason };
}
