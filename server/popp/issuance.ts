/**
 * The one token-issuing function for every flow (consent code, eGK, static QR):
 * sign first, then commit the record out of `waiting`. If the commit loses a race
 * (confirmed twice, expired meanwhile) the freshly signed token is dropped and
 * never leaves this function, so one check-in yields at most one token.
 */
import { CheckinError } from '../checkin/errors';
import { finishCheckin, publishChange, type CheckinRow, type RecordDeps } from '../checkin/records';
import type { DB } from '../store/db';
import { audit } from '../store/audit';

export type ProofMethod =
  | 'healthid'
  | 'ehc-practitioner-trustedchannel'
  | 'ehc-practitioner-cvc-authenticated'
  | 'ehc-practitioner-user-x509'
  | 'ehc-practitioner-owner-x509'
  | 'ehc-provider-trustedchannel'
  | 'ehc-provider-cvc-authenticated'
  | 'ehc-provider-user-x509'
  | 'ehc-provider-owner-x509';

export interface TokenClaimsInput {
  proofMethod: ProofMethod;
  patientProofTime: number;
  patientId: string;
  insurerId: string;
  actorId: string;
  actorProfessionOid: string;
}

export interface IssueDeps extends RecordDeps {
  sign(input: TokenClaimsInput): Promise<string>;
}

export async function issueTokenForCheckin(
  deps: IssueDeps,
  checkinId: string,
  input: TokenClaimsInput & { displayName?: string | null },
  /** Work that must commit together with the record (e.g. consuming the login binding). */
  inSameTransaction?: (trx: DB) => Promise<void>,
): Promise<{ token: string; row: CheckinRow }> {
  const { displayName, ...claims } = input;
  const token = await deps.sign(claims);
  const row = await deps.db.transaction().execute(async (trx) => {
    if (inSameTransaction) await inSameTransaction(trx);
    const r = await finishCheckin(deps, checkinId, { state: 'success', token, displayName: displayName ?? null }, trx);
    if (!r) throw new CheckinError('CODE_USED', 'Dieser Check-in ist bereits abgeschlossen.');
    return r;
  });
  publishChange(deps, row);
  await audit(deps.db, deps.now(), 'token.issued', { practiceId: row.practice_id, checkinId: row.id, detail: claims.proofMethod });
  return { token, row };
}
