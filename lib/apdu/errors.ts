import { PoppError } from '../errors';

/**
 * Every failure of the card layer: byte parsing (hex, APDU, TLV), CV certificates,
 * key agreement, secure messaging, CH.AUT parsing, card images and the test PKI.
 * Callers switch on `code`; `details` carries offsets and expected/actual values.
 */
export type CardErrorCode =
  | 'HEX_INVALID'
  | 'BYTES_RANGE'
  | 'APDU_MALFORMED'
  | 'APDU_LENGTH'
  | 'RESPONSE_MALFORMED'
  | 'STATUS_UNEXPECTED'
  | 'TLV_TRUNCATED'
  | 'TLV_LENGTH_INVALID'
  | 'TLV_TAG_INVALID'
  | 'TLV_UNEXPECTED_TAG'
  | 'TLV_TRAILING_BYTES'
  | 'CVC_MALFORMED'
  | 'CVC_CPI_UNSUPPORTED'
  | 'CVC_DATE_INVALID'
  | 'CVC_SIGNATURE_INVALID'
  | 'CVC_ISSUER_UNKNOWN'
  | 'CVC_CHAIN_INVALID'
  | 'CVC_EXPIRED'
  | 'CVC_NOT_YET_VALID'
  | 'CVC_CHAT_INVALID'
  | 'CURVE_UNSUPPORTED'
  | 'KEY_INVALID'
  | 'POINT_INVALID'
  | 'SM_MALFORMED'
  | 'SM_MAC_INVALID'
  | 'SM_PADDING_INVALID'
  | 'SM_SESSION_CLOSED'
  | 'GA_MALFORMED'
  | 'LIST_PUBLIC_KEY_MALFORMED'
  | 'CHAUT_MALFORMED'
  | 'CHAUT_KVNR_MISSING'
  | 'CHAUT_IK_MISSING'
  | 'IMAGE_MALFORMED'
  | 'IMAGE_UNSUPPORTED'
  | 'PKI_INVALID_REQUEST';

export class CardError extends PoppError<CardErrorCode> {
  readonly layer = 'card';
}

export function isCardError(e: unknown, code?: CardErrorCode): e is CardError {
  return e instanceof CardError && (code === undefined || e.code === code);
}
