import { PoppError } from '../../lib/errors';

export type VerifierErrorCode = 'config_invalid';

/** Only configuration mistakes throw; a bad token is a result, never an exception. */
export class VerifierError extends PoppError<VerifierErrorCode> {
  readonly layer = 'verifier';
}
