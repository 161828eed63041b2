import type { DB } from './db';

/** Appends to the audit log. Callers pass codes and ids only: never a KVNR or a token. */
export async function audit(
  db: DB,
  at: number,
  event: string,
  ctx: { practiceId?: string | null; checkinId?: string | null; detail?: string | null } = {},
): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({ at, event, practice_id: ctx.practiceId ?? null, checkin_id: ctx.checkinId ?? null, detail: ctx.detail ?? null })
    .execute();
}
