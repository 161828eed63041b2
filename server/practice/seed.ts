import type { DB } from '../store/db';
import { newId, randomToken, sha256b64u } from '../util/crypto';

export interface DemoPractice {
  name: string;
  telematikId: string;
  professionOid: string;
}

/** Seeds the demo practice on first start; returns its id either way. */
export async function ensurePractice(db: DB, p: DemoPractice, now: number): Promise<string> {
  const existing = await db.selectFrom('practices').select('id').where('telematik_id', '=', p.telematikId).executeTakeFirst();
  if (existing) return existing.id;
  const id = newId();
  await db.insertInto('practices').values({ id, telematik_id: p.telematikId, name: p.name, profession_oid: p.professionOid, created_at: now }).execute();
  return id;
}

/**
 * The first account is enrolled through a one-time link printed at start: there is no
 * password to leak, and whoever can read the server's console is the administrator.
 * A new link is made on each start while the practice has no staff yet.
 */
export async function setupLinkIfNoStaff(
  db: DB,
  practiceId: string,
  publicUrl: string,
  now: number,
  validHours: number,
): Promise<string | null> {
  const staff = await db.selectFrom('staff_users').select('id').where('practice_id', '=', practiceId).executeTakeFirst();
  if (staff) return null;
  // Only the newest start-up link works: links printed by earlier starts are void.
  await db.deleteFrom('setup_tokens').where('practice_id', '=', practiceId).where('used_at', 'is', null).where('role', '=', 'admin').execute();
  return createSetupLink(db, practiceId, publicUrl, now, validHours, 'admin');
}

export async function createSetupLink(
  db: DB,
  practiceId: string,
  publicUrl: string,
  now: number,
  validHours: number,
  role: 'admin' | 'staff',
): Promise<string> {
  const token = randomToken(24);
  await db
    .insertInto('setup_tokens')
    .values({ token_hash: sha256b64u(token), practice_id: practiceId, role, created_at: now, expires_at: now + validHours * 3600_000, used_at: null })
    .execute();
  return `${publicUrl}/setup/${token}`;
}
