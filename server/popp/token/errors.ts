import { PoppError } from '../../../lib/errors';

export type TokenErrorCode = 'invalid_claims' | 'invalid_issuer' | 'invalid_key' | 'sign_failed';

/** Raised by the issuing side: a PoPP token is never signed over input that fails the claim schema. */
export class TokenError extends PoppError<TokenErrorCode> {
  readonly layer = 'token';
}
