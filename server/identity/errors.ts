import { PoppError } from '../../lib/errors';

export type IdentityErrorCode =
  | 'UNAUTHENTICATED'
  | 'FORBIDDEN_ORIGIN'
  | 'SETUP_LINK_INVALID'
  | 'SETUP_LINK_USED'
  | 'SETUP_LINK_EXPIRED'
  | 'PASSKEY_CHALLENGE_EXPIRED'
  | 'PASSKEY_REJECTED'
  | 'PASSKEY_UNKNOWN';

export class IdentityError extends PoppError<IdentityErrorCode> {
  readonly layer = 'identity';
}
