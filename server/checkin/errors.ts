import { PoppError } from '../../lib/errors';

export type CheckinErrorCode =
  | 'CODE_MALFORMED'
  | 'CODE_NOT_FOUND'
  | 'CODE_EXPIRED'
  | 'CODE_USED'
  | 'CODE_DECLINED'
  | 'CODE_FOREIGN'
  | 'LOGIN_REQUIRED'
  | 'LOGIN_STALE'
  | 'LOGIN_NOT_FOR_THIS_CODE'
  | 'ACR_INSUFFICIENT'
  | 'IDENTITY_INVALID'
  | 'CHECKIN_NOT_FOUND'
  | 'PRACTICE_NOT_FOUND';

/** Errors of the check-in lifecycle. Each one leaves every stored record unchanged. */
export class CheckinError extends PoppError<CheckinErrorCode> {
  readonly layer = 'checkin';
}
