import { PoppError } from '../../lib/errors';

/**
 * Every reason the trust layer refuses something, and the one table that maps each to the
 * BDE code of gemSpec_PoPP_Service (numeric, as the sample server sends it) and to an HTTP
 * status for the admin API. `bde: null` means the code never reaches a card session
 * (TSL loading, hash-DB import): the wire layer uses `http` there.
 */
export const TRUST_ERRORS = {
  // TSL (load time; a card session only sees TSL_UNAVAILABLE)
  TSL_MALFORMED: { bde: null, http: 400 },
  TSL_SIGNATURE_INVALID: { bde: null, http: 400 },
  TSL_SIGNER_UNTRUSTED: { bde: null, http: 400 },
  TSL_EXPIRED: { bde: null, http: 400 },
  /** A lower TSLSequenceNumber than the list in use: a rollback, refused like a bad signature. */
  TSL_OUTDATED: { bde: null, http: 400 },
  TSL_FETCH_FAILED: { bde: null, http: 502 },
  TSL_UNAVAILABLE: { bde: 79100, http: 503 },

  // C.CH.AUT path validation: an invalid X.509 certificate is 79117
  CERT_MALFORMED: { bde: 79117, http: 400 },
  CERT_UNKNOWN_CA: { bde: 79117, http: 400 },
  CERT_SIGNATURE_INVALID: { bde: 79117, http: 400 },
  CERT_PATH_INVALID: { bde: 79117, http: 400 },
  CERT_CA_REVOKED: { bde: 79117, http: 400 },
  CERT_CA_NOT_AUTHORIZED: { bde: 79117, http: 400 },
  CERT_NOT_YET_VALID: { bde: 79117, http: 400 },
  CERT_EXPIRED: { bde: 79117, http: 400 },
  CERT_KEY_USAGE: { bde: 79117, http: 400 },
  CERT_POLICY: { bde: 79117, http: 400 },
  CERT_UNKNOWN_CRITICAL_EXTENSION: { bde: 79117, http: 400 },

  // OCSP: status answers and answers that cannot be trusted are 79117; no answer is 79112/79113
  OCSP_REVOKED: { bde: 79117, http: 400 },
  /** RFC 6960 "unknown": the responder does not know the certificate. Refused like revoked (79117). */
  OCSP_UNKNOWN: { bde: 79117, http: 400 },
  OCSP_RESPONSE_MALFORMED: { bde: 79117, http: 502 },
  OCSP_RESPONDER_UNTRUSTED: { bde: 79117, http: 502 },
  OCSP_SIGNATURE_INVALID: { bde: 79117, http: 502 },
  OCSP_CERTID_MISMATCH: { bde: 79117, http: 502 },
  OCSP_NONCE_MISMATCH: { bde: 79117, http: 502 },
  OCSP_STALE: { bde: 79117, http: 502 },
  OCSP_NOT_YET_VALID: { bde: 79117, http: 502 },
  OCSP_NO_RESPONDER: { bde: 79112, http: 502 },
  OCSP_RESPONDER_ERROR: { bde: 79112, http: 502 },
  OCSP_UNREACHABLE: { bde: 79112, http: 502 },
  OCSP_TIMEOUT: { bde: 79113, http: 504 },
  OCSP_OFFLINE_POLICY_REFUSED: { bde: 79100, http: 500 },

  // eGK hash database checks
  HASHDB_PAIRED_ELSEWHERE: { bde: 79501, http: 403 },
  HASHDB_BLOCKED: { bde: 79515, http: 403 },
  HASHDB_UNKNOWN_CONTACTLESS: { bde: 79510, http: 403 },
  HASHDB_MISMATCH_CONTACTLESS: { bde: 79118, http: 403 },

  // eGK hash database import (admin API / CLI)
  IMPORT_TOO_LARGE: { bde: null, http: 413 },
  IMPORT_MALFORMED: { bde: null, http: 400 },
  IMPORT_SIGNATURE_INVALID: { bde: null, http: 400 },
  IMPORT_SIGNER_UNTRUSTED: { bde: null, http: 400 },
  IMPORT_NOT_A_REMOVAL: { bde: null, http: 400 },
  IMPORT_JOB_NOT_FOUND: { bde: null, http: 404 },
  IMPORT_JOB_RUNNING: { bde: null, http: 409 },

  CONFIG_INVALID: { bde: 79100, http: 500 },
  /** Anything unexpected (database down, bug): the card is not refused as invalid, the service failed. */
  INTERNAL: { bde: 79100, http: 500 },
} as const satisfies Record<string, { bde: number | null; http: number }>;

export type TrustErrorCode = keyof typeof TRUST_ERRORS;

export class TrustError extends PoppError<TrustErrorCode> {
  readonly layer = 'trust';

  /** The BDE code a card session reports (79xxx), or null for load/import errors. */
  get bde(): number | null {
    return TRUST_ERRORS[this.code].bde;
  }

  get httpStatus(): number {
    return TRUST_ERRORS[this.code].http;
  }
}

export function bdeCodeOf(code: TrustErrorCode): number | null {
  return TRUST_ERRORS[code].bde;
}

export function isTrustError(e: unknown, code?: TrustErrorCode): e is TrustError {
  return e instanceof TrustError && (code === undefined || e.code === code);
}
