import { PoppError } from '../errors';

/**
 * A WebSocket frame that is not a valid PoPP message. All codes become BDE 79511
 * (INVALID_MESSAGE) on the service side, except `wrong-direction` (a well-formed
 * message the other side sends), which is an unexpected message (79513).
 */
export type MessageErrorCode =
  | 'not-text'
  | 'too-large'
  | 'not-json'
  | 'not-object'
  | 'unknown-type'
  | 'wrong-direction'
  | 'schema'
  | 'encode';

export class MessageError extends PoppError<MessageErrorCode> {
  readonly layer = 'protocol';
}

export function isMessageError(e: unknown, code?: MessageErrorCode): e is MessageError {
  return e instanceof MessageError && (code === undefined || e.code === code);
}
