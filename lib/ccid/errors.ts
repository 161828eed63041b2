import { PoppError } from '../errors';

/**
 * Every failure between the PoPP client core and the card: USB/CCID descriptors
 * and messages, T=1, the WebUSB driver, the Web Smart Card API, the loopback
 * bridge and PC/SC. Callers (UI, wire mapping) switch on `code`; texts for people
 * live in client/card-bridge/messages.ts.
 */
export const READER_ERROR_CODES = [
  // descriptors and reader choice
  'DESCRIPTOR_MALFORMED',
  'NOT_A_CCID_READER',
  'READER_UNSUPPORTED',
  // WebUSB access
  'USB_UNAVAILABLE',
  'USB_PROTECTED_CLASS',
  'USB_ACCESS_DENIED',
  'USB_TRANSFER_FAILED',
  // reader and card state
  'READER_GONE',
  'NO_CARD',
  'CARD_REMOVED',
  'CARD_MUTE',
  'NOT_CONNECTED',
  'CLOSED',
  'BUSY',
  // CCID status (bError) mapping
  'CCID_COMMAND_NOT_SUPPORTED',
  'CCID_BAD_PARAMETER',
  'CCID_HARDWARE_ERROR',
  'CCID_SLOT_BUSY',
  'CCID_ABORTED',
  'CCID_TRANSFER_ERROR',
  'CCID_ATR_ERROR',
  'CCID_ERROR',
  // garbage and limits
  'MESSAGE_MALFORMED',
  'RESPONSE_TOO_LARGE',
  'TIME_EXTENSION_STORM',
  'TIMEOUT',
  // card protocol
  'ATR_MALFORMED',
  'PROTOCOL_UNSUPPORTED',
  'APDU_MALFORMED',
  'APDU_TOO_LONG',
  'EXTENDED_APDU_UNSUPPORTED',
  'T1_PROTOCOL_ERROR',
  'T1_ABORTED',
  'WTX_STORM',
  // bridge, PC/SC, Web Smart Card API
  'BRIDGE_UNREACHABLE',
  'BRIDGE_PAIRING_FAILED',
  'BRIDGE_ORIGIN_REFUSED',
  'BRIDGE_PROTOCOL_ERROR',
  'BRIDGE_CLOSED',
  'PCSC_UNAVAILABLE',
  'PCSC_ERROR',
  'SMARTCARD_API_UNAVAILABLE',
  'SMARTCARD_API_ERROR',
] as const;

export type ReaderErrorCode = (typeof READER_ERROR_CODES)[number];

export function isReaderErrorCode(code: string): code is ReaderErrorCode {
  return (READER_ERROR_CODES as readonly string[]).includes(code);
}

export class ReaderError extends PoppError<ReaderErrorCode> {
  readonly layer = 'reader';
}

export function isReaderError(e: unknown, code?: ReaderErrorCode): e is ReaderError {
  return e instanceof ReaderError && (code === undefined || e.code === code);
}
