/**
 * Table types of the core domains. Times are epoch milliseconds (bigint in
 * PostgreSQL, parsed back to number by the dialect setup), so domain code never
 * sees driver-specific date objects.
 */
import type { Generated } from 'kysely';

export type CheckinFlow = 'consent-code' | 'ehc' | 'static-qr';
/** One state model for every flow: waiting → success | pending | canceled. */
export type CheckinState = 'waiting' | 'success' | 'pending' | 'canceled';
/** Why a check-in was canceled (or why it is pending). */
export type CheckinReason = 'declined' | 'expired' | 'withdrawn' | 'failed' | 'undelivered';

export interface PracticeTable {
  id: string;
  telematik_id: string;
  name: string;
  profession_oid: string;
  created_at: number;
}

export interface StaffUserTable {
  id: string;
  practice_id: string;
  display_name: string;
  role: 'admin' | 'staff';
  /** WebAuthn user handle (random, base64url): never the name, so it reveals nothing. */
  webauthn_user_id: string;
  created_at: number;
}

export interface WebauthnCredentialTable {
  id: string; // credential id, base64url
  user_id: string;
  public_key: string; // base64url COSE key
  counter: number;
  transports: string; // JSON array
  created_at: number;
  last_used_at: number | null;
}

export interface StaffSessionTable {
  id_hash: string; // SHA-256 of the cookie value
  user_id: string;
  created_at: number;
  expires_at: number;
}

export interface SetupTokenTable {
  token_hash: string;
  practice_id: string;
  role: 'admin' | 'staff';
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface WebauthnChallengeTable {
  id: string;
  challenge: string;
  purpose: 'register' | 'login';
  /** For registration: the setup token hash that allowed it. */
  subject: string | null;
  expires_at: number;
}

export interface CheckinTable {
  id: string;
  practice_id: string;
  workplace_id: string | null;
  flow: CheckinFlow;
  state: CheckinState;
  reason: CheckinReason | null;
  /** SHA-256 (base64url) of the consent code; the code itself is only ever shown once. */
  code_hash: string | null;
  created_at: number;
  expires_at: number | null;
  updated_at: number;
  /** Shown on the dashboard once the person confirmed; no KVNR stored outside the token. */
  display_name: string | null;
  token: string | null;
  token_issued_at: number | null;
  /** Monotonic per-row version so SSE subscribers can resume with lastEventId. */
  version: Generated<number>;
}

export interface OidcBindingTable {
  /** SHA-256 of the OIDC nonce next-auth generated for this login. */
  nonce_hash: string;
  state_hash: string;
  checkin_id: string;
  created_at: number;
  consumed_at: number | null;
}

export interface AuditTable {
  id: Generated<number>;
  at: number;
  event: string;
  practice_id: string | null;
  checkin_id: string | null;
  /** Codes and ids only: never a KVNR or a token. */
  detail: string | null;
}

export interface CoreTables {
  practices: PracticeTable;
  staff_users: StaffUserTable;
  webauthn_credentials: WebauthnCredentialTable;
  staff_sessions: StaffSessionTable;
  setup_tokens: SetupTokenTable;
  webauthn_challenges: WebauthnChallengeTable;
  checkins: CheckinTable;
  oidc_bindings: OidcBindingTable;
  audit_log: AuditTable;
}
