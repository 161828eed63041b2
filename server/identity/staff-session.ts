/**
 * Staff sessions: a random cookie value, stored only as its hash, so a database
 * dump does not hand out live sessions.
 */
import type { DB } from '../store/db';
import { randomToken, sha256b64u } from '../util/crypto';

export const STAFF_COOKIE = 'popp_staff';

export interface StaffPrincipal {
  userId: string;
  displayName: string;
  role: 'admin' | 'staff';
  practiceId: string;
  practiceName: string;
  telematikId: string;
  professionOid: string;
}

export async function createStaffSession(db: DB, userId: string, now: number, hours: number): Promise<{ cookieValue: string; expiresAt: number }> {
  const cookieValue = randomToken(32);
  const expiresAt = now + hours * 3600_000;
  await db.insertInto('staff_sessions').values({ id_hash: sha256b64u(cookieValue), user_id: userId, created_at: now, expires_at: expiresAt }).execute();
  return { cookieValue, expiresAt };
}

export async function resolveStaffSession(db: DB, cookieValue: string | undefined, now: number): Promise<StaffPrincipal | null> {
  if (!cookieValue || cookieValue.length > 100) return null;
  const row = await db
    .selectFrom('staff_sessions as s')
    .innerJoin('staff_users as u', 'u.id', 's.user_id')
    .innerJoin('practices as p', 'p.id', 'u.practice_id')
    .select(['u.id as userId', 'u.display_name as displayName', 'u.role as role', 'p.id as practiceId', 'p.name as practiceName', 'p.telematik_id as telematikId', 'p.profession_oid as professionOid', 's.expires_at as expiresAt'])
    .where('s.id_hash', '=', sha256b64u(cookieValue))
    .executeTakeFirst();
  if (!row || row.expiresAt <= now) return null;
  const { expiresAt: _e, ...principal } = row;
  return principal;
}

export async function endStaffSession(db: DB, cookieValue: string | undefined): Promise<void> {
  if (!cookieValue) return;
  await db.deleteFrom('staff_sessions').where('id_hash', '=', sha256b64u(cookieValue)).execute();
}
