import { CompactSign } from 'jose';
import type { SigningKey } from '../keys/types';
import { POPP_TOKEN_ALG, POPP_TOKEN_TYP, POPP_TOKEN_VERSION, isIssuerUrl, poppClaimsSchema, poppTokenInputSchema, type PoppClaims, type PoppTokenInput } from './claims';
import { TokenError } from './errors';
import { nowSeconds } from './time';

export interface SignContext {
  /** Origin URL of this PoPP-Service (no path, no trailing slash). */
  issuer: string;
  key: SigningKey;
  /** Unix seconds; injectable for tests. */
  now?: () => number;
}

/**
 * Signs one PoPP token. The full claim set is validated before any signing so that a caller
 * bug (a KVNR in the wrong field, a stray claim) surfaces as a typed error instead of a
 * token that every Fachdienst would reject — or worse, accept.
 */
export async function signPoppToken(input: PoppTokenInput, ctx: SignContext): Promise<string> {
  if (!isIssuerUrl(ctx.issuer)) {
    throw new TokenError('invalid_issuer', 'Der Aussteller muss eine Origin-URL ohne Pfad und ohne abschließenden Schrägstrich sein.');
  }
  if (!ctx.key?.kid || !ctx.key.privateKey) throw new TokenError('invalid_key', 'Kein Signaturschlüssel übergeben.');
  // The input is checked on its own first, so a caller-supplied iss/iat/version is an error
  // rather than silently overwritten.
  const input_ = poppTokenInputSchema.safeParse(input);
  const parsed = input_.success
    ? poppClaimsSchema.safeParse({ ...input_.data, version: POPP_TOKEN_VERSION, iss: ctx.issuer, iat: nowSeconds(ctx.now) })
    : input_;
  if (!parsed.success) {
    // Only claim names go into the message: values may be a KVNR.
    const fields = [...new Set(parsed.error.issues.map((i) => (i.code === 'unrecognized_keys' ? i.keys.join(',') : String(i.path[0] ?? '?'))))];
    throw new TokenError('invalid_claims', `Ungültige Token-Claims: ${fields.join(', ')}`, { details: { fields } });
  }
  const claims = parsed.data as PoppClaims;
  // Fixed claim order keeps tokens byte-stable for the same input, which tests rely on.
  const payload = {
    version: claims.version,
    iss: claims.iss,
    iat: claims.iat,
    proofMethod: claims.proofMethod,
    patientProofTime: claims.patientProofTime,
    patientId: claims.patientId,
    insurerId: claims.insurerId,
    actorId: claims.actorId,
    actorProfessionOid: claims.actorProfessionOid,
  };
  try {
    return await new CompactSign(new TextEncoder().encode(JSON.stringify(payload)))
      .setProtectedHeader({ typ: POPP_TOKEN_TYP, alg: POPP_TOKEN_ALG, kid: ctx.key.kid })
      .sign(ctx.key.privateKey);
  } catch (e) {
    throw new TokenError('sign_failed', 'Das PoPP-Token konnte nicht signiert werden.', { cause: e });
  }
}
