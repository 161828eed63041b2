/**
 * The PoPP token's header and claim set, exactly as gematik's I_PoPP_Token_Generation.yaml
 * (TokenHeaders, TokenClaims) defines them, tightened by the stage-2 patterns for KVNR and IK.
 * Shared by the issuer (nothing off-schema is ever signed) and the verifier (nothing
 * off-schema is ever accepted), so the two cannot drift apart.
 */
import { z } from 'zod';

export const POPP_TOKEN_TYP = 'vnd.telematik.popp+jwt';
export const POPP_TOKEN_VERSION = '1.0.0';
export const POPP_TOKEN_ALG = 'ES256';

export const PROOF_METHODS = [
  'healthid',
  'ehc-practitioner-trustedchannel',
  'ehc-practitioner-cvc-authenticated',
  'ehc-practitioner-user-x509',
  'ehc-practitioner-owner-x509',
  'ehc-provider-trustedchannel',
  'ehc-provider-cvc-authenticated',
  'ehc-provider-user-x509',
  'ehc-provider-owner-x509',
] as const;
export type ProofMethod = (typeof PROOF_METHODS)[number];

export const KVNR_PATTERN = /^[A-Z][0-9]{9}$/;
export const IK_PATTERN = /^[0-9]{9}$/;
export const OID_PATTERN = /^[0-2](\.(0|[1-9][0-9]*))+$/;
/** Telematik-IDs are printable ASCII without blanks, at most 128 characters (gemSpec_PKI). */
export const TELEMATIK_ID_PATTERN = /^[\x21-\x7e]{1,128}$/;
export const KID_PATTERN = /^[A-Za-z0-9_-]{1,128}$/;

/**
 * "URL of the PoPP server without the path and without a trailing slash": we demand the
 * serialised origin itself, which also rules out credentials, query, fragment, a default port
 * spelled out and upper-case hosts — each would make two spellings of one issuer.
 */
export function isIssuerUrl(s: string): boolean {
  if (s.length > 256) return false;
  let u: URL;
  try {
    u = new URL(s);
  } catch {
    return false;
  }
  return (u.protocol === 'https:' || u.protocol === 'http:') && u.origin === s;
}

/**
 * NumericDate: whole, non-negative seconds. The upper bound (year 5138) catches milliseconds
 * passed where seconds belong, the commonest clock bug.
 */
const numericDate = z.number().int().nonnegative().max(99_999_999_999);

export const issuerSchema = z.string().refine(isIssuerUrl, { message: 'iss must be an origin URL without path or trailing slash' });

export const poppClaimsSchema = z
  .object({
    version: z.literal(POPP_TOKEN_VERSION),
    iss: issuerSchema,
    iat: numericDate,
    proofMethod: z.enum(PROOF_METHODS),
    patientProofTime: numericDate,
    patientId: z.string().regex(KVNR_PATTERN),
    insurerId: z.string().regex(IK_PATTERN),
    actorId: z.string().regex(TELEMATIK_ID_PATTERN),
    actorProfessionOid: z.string().max(128).regex(OID_PATTERN),
  })
  .strict();
export type PoppClaims = z.infer<typeof poppClaimsSchema>;

/** What a caller supplies; version, iss and iat are the issuer's business. */
export const poppTokenInputSchema = poppClaimsSchema.omit({ version: true, iss: true, iat: true }).strict();
export type PoppTokenInput = z.infer<typeof poppTokenInputSchema>;

/**
 * The header allows nothing beyond typ/alg/kid: `jku`, `x5u`, `jwk`, `x5c` or `crit` would
 * invite a verifier to take keys from the token itself (x5c was dropped in API 3.0.0).
 */
export const poppHeaderSchema = z
  .object({
    typ: z.literal(POPP_TOKEN_TYP),
    alg: z.literal(POPP_TOKEN_ALG),
    kid: z.string().regex(KID_PATTERN),
  })
  .strict();
export type PoppHeader = z.infer<typeof poppHeaderSchema>;
