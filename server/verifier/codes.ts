/**
 * Every reason a PoPP token is refused, as a stable code. Callers (Fachdienste, the CLI, the
 * HTTP endpoint, the docs/verifier.md rule table) switch on these, never on the reason text.
 */
export const VERIFY_CODES = [
  'token_malformed',
  'token_too_large',
  'header_invalid',
  'header_forbidden_param',
  'alg_not_allowed',
  'typ_invalid',
  'kid_missing',
  'payload_invalid',
  'issuer_unknown',
  'keys_unavailable',
  'entity_statement_invalid',
  'jwks_invalid',
  'kid_unknown',
  'key_invalid',
  'key_chain_invalid',
  'key_cert_expired',
  'key_role_missing',
  'key_usage_invalid',
  'key_mismatch',
  'signature_invalid',
  'claims_missing',
  'claims_unexpected',
  'claims_invalid',
  'iat_in_future',
  'proof_time_invalid',
  'token_expired',
  'actor_required',
  'actor_mismatch',
  'replayed',
  'replay_store_unavailable',
  'profile_unknown',
  'internal_error',
] as const;
export type VerifyCode = (typeof VERIFY_CODES)[number];

export interface Refusal {
  ok: false;
  code: VerifyCode;
  /** English, for logs and API clients; never contains a claim value or the token. */
  reason: string;
}

export const refuse = (code: VerifyCode, reason: string): Refusal => ({ ok: false, code, reason });
