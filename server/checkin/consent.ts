/**
 * The consent-code flow (gemKPT_PoPP concept): the practice creates a short-lived,
 * single-use code bound to itself; the insured person opens its link, logs in with
 * GesundheitsID afresh for exactly this code, sees what will be shared, confirms.
 */
import { audit } from '../store/audit';
import type { DB } from '../store/db';
import type { PracticeTable } from '../store/schema';
import { sha256b64u } from '../util/crypto';
import { CONSENT_CODE_PATTERN, consentUrl, hashConsentCode, newConsentCode } from './consent-code';
import { CheckinError } from './errors';
import { createCheckin, effectiveState, finishCheckin, findByCodeHash, publishChange, type CheckinRow, type RecordDeps } from './records';
import { issueTokenForCheckin, type IssueDeps } from '../popp/issuance';

export interface ConsentConfig {
  publicUrl: string;
  codeTtlSeconds: number;
  codeBytes: number;
  requiredAcr: string;
}

/** What the GesundheitsID login proved, as carried in the insured person's session. */
export interface InsuredIdentity {
  kvnr: string;
  ik: string;
  displayName: string;
  acr: string;
  /** ID token `auth_time`, seconds. */
  authTime: number;
  /** The OIDC nonce of this login: ties it to the one code it was started for. */
  nonce: string;
}

export const KVNR_PATTERN = /^[A-Z][0-9]{9}$/;
export const IK_PATTERN = /^[0-9]{9}$/;

export async function createConsentCode(deps: RecordDeps, cfg: ConsentConfig, practiceId: string, workplaceId?: string | null) {
  const { code, hash } = newConsentCode(cfg.codeBytes);
  const expiresAt = deps.now() + cfg.codeTtlSeconds * 1000;
  const row = await createCheckin(deps, { practiceId, workplaceId, flow: 'consent-code', codeHash: hash, expiresAt });
  await audit(deps.db, deps.now(), 'consent.created', { practiceId, checkinId: row.id });
  return { checkin: row, code, url: consentUrl(cfg.publicUrl, code), expiresAt };
}

/** Looks a code up without changing anything; the caller decides whether its state allows the next step. */
export async function resolveCode(db: DB, code: string): Promise<{ row: CheckinRow; practice: PracticeTable }> {
  if (typeof code !== 'string' || !CONSENT_CODE_PATTERN.test(code)) {
    throw new CheckinError('CODE_MALFORMED', 'Dieser Link ist unvollständig oder beschädigt.');
  }
  const row = await findByCodeHash(db, hashConsentCode(code));
  if (!row || row.flow !== 'consent-code') throw new CheckinError('CODE_NOT_FOUND', 'Dieser Check-in-Code ist unbekannt.');
  const practice = await db.selectFrom('practices').selectAll().where('id', '=', row.practice_id).executeTakeFirst();
  if (!practice) throw new CheckinError('PRACTICE_NOT_FOUND', 'Die Praxis zu diesem Code gibt es nicht mehr.');
  return { row, practice };
}

/** Throws the reason a code can no longer be used, or returns when it is still waiting. */
export function assertUsable(row: CheckinRow, now: number): void {
  const { state, reason } = effectiveState(row, now);
  if (state === 'waiting') return;
  if (reason === 'expired') throw new CheckinError('CODE_EXPIRED', 'Dieser Check-in-Code ist abgelaufen. Bitte die Praxis um einen neuen.');
  if (reason === 'declined') throw new CheckinError('CODE_DECLINED', 'Dieser Check-in wurde abgelehnt.');
  throw new CheckinError('CODE_USED', 'Dieser Check-in-Code wurde bereits verwendet.');
}

/**
 * Called by the PAR route when a login starts for a code: remembers which nonce and
 * state belong to which check-in, so a login made for one code never confirms another.
 */
export async function bindLoginToCode(deps: RecordDeps, code: string, nonce: string, state: string): Promise<CheckinRow> {
  const { row } = await resolveCode(deps.db, code);
  assertUsable(row, deps.now());
  await deps.db
    .insertInto('oidc_bindings')
    .values({ nonce_hash: sha256b64u(nonce), state_hash: sha256b64u(state), checkin_id: row.id, created_at: deps.now(), consumed_at: null })
    .execute();
  return row;
}

/**
 * Checks that the session's login is fresh, strong and made for this very code.
 * Returns nothing on success; throws the first reason it is not.
 */
export async function assertFreshLogin(db: DB, cfg: ConsentConfig, row: CheckinRow, who: InsuredIdentity | null): Promise<void> {
  if (!who) throw new CheckinError('LOGIN_REQUIRED', 'Bitte melden Sie sich mit Ihrer GesundheitsID an.');
  const binding = await db.selectFrom('oidc_bindings').selectAll().where('nonce_hash', '=', sha256b64u(who.nonce)).executeTakeFirst();
  if (!binding || binding.consumed_at !== null) {
    throw new CheckinError('LOGIN_REQUIRED', 'Für jeden Check-in ist eine neue Anmeldung mit der GesundheitsID nötig.');
  }
  if (binding.checkin_id !== row.id) {
    throw new CheckinError('LOGIN_NOT_FOR_THIS_CODE', 'Diese Anmeldung gehört zu einem anderen Check-in. Bitte neu anmelden.');
  }
  // The login must have happened after this code's login was started (the binding), not
  // merely after the code was made: otherwise an IdP that skips re-authentication could
  // let one login serve every code created before it. auth_time has second resolution.
  const startedAt = Math.floor(Math.max(row.created_at, binding.created_at) / 1000);
  if (!Number.isInteger(who.authTime) || who.authTime < startedAt) {
    throw new CheckinError('LOGIN_STALE', 'Die Anmeldung ist älter als der Check-in-Code. Bitte neu anmelden.');
  }
  if (who.acr !== cfg.requiredAcr) {
    throw new CheckinError('ACR_INSUFFICIENT', 'Die Anmeldung erreicht nicht das nötige Vertrauensniveau (hoch).');
  }
  if (!KVNR_PATTERN.test(who.kvnr) || !IK_PATTERN.test(who.ik)) {
    throw new CheckinError('IDENTITY_INVALID', 'Die GesundheitsID lieferte keine gültige Versichertennummer oder IK.');
  }
}

export async function confirmConsent(deps: IssueDeps, cfg: ConsentConfig, code: string, who: InsuredIdentity | null) {
  const { row, practice } = await resolveCode(deps.db, code);
  assertUsable(row, deps.now());
  await assertFreshLogin(deps.db, cfg, row, who);
  const identity = who!;
  const nonceHash = sha256b64u(identity.nonce);
  const { row: done } = await issueTokenForCheckin(
    deps,
    row.id,
    {
      proofMethod: 'healthid',
      patientProofTime: identity.authTime,
      patientId: identity.kvnr,
      insurerId: identity.ik,
      actorId: practice.telematik_id,
      actorProfessionOid: practice.profession_oid,
      displayName: identity.displayName,
    },
    async (trx) => {
      const consumed = await trx
        .updateTable('oidc_bindings')
        .set({ consumed_at: deps.now() })
        .where('nonce_hash', '=', nonceHash)
        .where('consumed_at', 'is', null)
        .executeTakeFirst();
      if (Number(consumed.numUpdatedRows) !== 1) throw new CheckinError('LOGIN_REQUIRED', 'Diese Anmeldung wurde bereits verwendet.');
    },
  );
  return { checkinId: done.id, practiceName: practice.name };
}

/** Declining also needs the login made for this code: a bystander who saw the QR code must not cancel it. */
export async function declineConsent(deps: RecordDeps, cfg: ConsentConfig, code: string, who: InsuredIdentity | null): Promise<void> {
  const { row } = await resolveCode(deps.db, code);
  assertUsable(row, deps.now());
  await assertFreshLogin(deps.db, cfg, row, who);
  const done = await finishCheckin(deps, row.id, { state: 'canceled', reason: 'declined' });
  if (!done) throw new CheckinError('CODE_USED', 'Dieser Check-in-Code wurde bereits verwendet.');
  publishChange(deps, done);
  await audit(deps.db, deps.now(), 'consent.declined', { practiceId: done.practice_id, checkinId: done.id });
}

/** Staff withdraw a code they showed by mistake; only their own practice's codes. */
export async function withdrawCheckin(deps: RecordDeps, practiceId: string, checkinId: string): Promise<void> {
  const row = await deps.db.selectFrom('checkins').select(['id', 'practice_id']).where('id', '=', checkinId).executeTakeFirst();
  if (!row) throw new CheckinError('CHECKIN_NOT_FOUND', 'Diesen Check-in gibt es nicht.');
  if (row.practice_id !== practiceId) throw new CheckinError('CODE_FOREIGN', 'Dieser Check-in gehört zu einer anderen Praxis.');
  const done = await finishCheckin(deps, checkinId, { state: 'canceled', reason: 'withdrawn' });
  if (!done) throw new CheckinError('CODE_USED', 'Dieser Check-in ist bereits abgeschlossen.');
  publishChange(deps, done);
  await audit(deps.db, deps.now(), 'consent.withdrawn', { practiceId, checkinId });
}
