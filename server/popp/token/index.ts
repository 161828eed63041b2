export { signPoppToken, type SignContext } from './issue';
export {
  poppClaimsSchema,
  poppHeaderSchema,
  poppTokenInputSchema,
  issuerSchema,
  isIssuerUrl,
  PROOF_METHODS,
  POPP_TOKEN_TYP,
  POPP_TOKEN_VERSION,
  POPP_TOKEN_ALG,
  type PoppClaims,
  type PoppHeader,
  type PoppTokenInput,
  type ProofMethod,
} from './claims';
export { TokenError, type TokenErrorCode } from './errors';
export { endOfUtcQuarter } from './time';
