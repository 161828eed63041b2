import { ReaderError, type ReaderErrorCode } from './errors';

/**
 * bStatus and bError of RDR_to_PC messages, CCID Rev 1.1 §6.2.6 (tables
 * 6.2-2 and 6.2-3). bStatus bits 1..0 give the ICC status, bits 7..6 the
 * command status; with a failed command, bError says why.
 */
export type IccStatus = 'active' | 'inactive' | 'absent' | 'rfu';
export type CommandStatus = 'ok' | 'failed' | 'time-extension' | 'rfu';

const ICC_STATUS: IccStatus[] = ['active', 'inactive', 'absent', 'rfu'];
const COMMAND_STATUS: CommandStatus[] = ['ok', 'failed', 'time-extension', 'rfu'];

export function iccStatus(bStatus: number): IccStatus {
  return ICC_STATUS[bStatus & 0x03];
}

export function commandStatus(bStatus: number): CommandStatus {
  return COMMAND_STATUS[(bStatus >> 6) & 0x03];
}

/** bError values (table 6.2-2; names as in CCIDdrv src/ccid.h). */
export const ERROR_CMD_ABORTED = 0xff;
export const ERROR_ICC_MUTE = 0xfe;
export const ERROR_XFR_PARITY = 0xfd;
export const ERROR_XFR_OVERRUN = 0xfc;
export const ERROR_HW_ERROR = 0xfb;
export const ERROR_BAD_ATR_TS = 0xf8;
export const ERROR_BAD_ATR_TCK = 0xf7;
export const ERROR_ICC_PROTOCOL_NOT_SUPPORTED = 0xf6;
export const ERROR_ICC_CLASS_NOT_SUPPORTED = 0xf5;
export const ERROR_PROCEDURE_BYTE_CONFLICT = 0xf4;
export const ERROR_DEACTIVATED_PROTOCOL = 0xf3;
export const ERROR_BUSY_WITH_AUTO_SEQUENCE = 0xf2;
export const ERROR_PIN_TIMEOUT = 0xf0;
export const ERROR_PIN_CANCELLED = 0xef;
export const ERROR_CMD_SLOT_BUSY = 0xe0;
export const ERROR_CMD_NOT_SUPPORTED = 0x00;

interface ErrorRow {
  code: ReaderErrorCode;
  text: string;
}

const ERRORS: Record<number, ErrorRow> = {
  [ERROR_CMD_ABORTED]: { code: 'CCID_ABORTED', text: 'command aborted by the host' },
  [ERROR_ICC_MUTE]: { code: 'CARD_MUTE', text: 'card absent or mute' },
  [ERROR_XFR_PARITY]: { code: 'CCID_TRANSFER_ERROR', text: 'parity error during exchange' },
  [ERROR_XFR_OVERRUN]: { code: 'CCID_TRANSFER_ERROR', text: 'overrun error' },
  [ERROR_HW_ERROR]: { code: 'CCID_HARDWARE_ERROR', text: 'reader hardware error' },
  [ERROR_BAD_ATR_TS]: { code: 'CCID_ATR_ERROR', text: 'invalid ATR first byte (TS)' },
  [ERROR_BAD_ATR_TCK]: { code: 'CCID_ATR_ERROR', text: 'invalid ATR checksum (TCK)' },
  [ERROR_ICC_PROTOCOL_NOT_SUPPORTED]: { code: 'CCID_ATR_ERROR', text: 'card protocol not supported' },
  [ERROR_ICC_CLASS_NOT_SUPPORTED]: { code: 'CCID_ATR_ERROR', text: 'card class (voltage) not supported' },
  [ERROR_PROCEDURE_BYTE_CONFLICT]: { code: 'CCID_TRANSFER_ERROR', text: 'procedure byte conflict' },
  [ERROR_DEACTIVATED_PROTOCOL]: { code: 'CCID_ERROR', text: 'deactivated protocol' },
  [ERROR_BUSY_WITH_AUTO_SEQUENCE]: { code: 'CCID_SLOT_BUSY', text: 'busy with automatic sequence' },
  [ERROR_PIN_TIMEOUT]: { code: 'CCID_ERROR', text: 'PIN timeout' },
  [ERROR_PIN_CANCELLED]: { code: 'CCID_ERROR', text: 'PIN cancelled' },
  [ERROR_CMD_SLOT_BUSY]: { code: 'CCID_SLOT_BUSY', text: 'slot busy' },
  [ERROR_CMD_NOT_SUPPORTED]: { code: 'CCID_COMMAND_NOT_SUPPORTED', text: 'command not supported' },
};

/** Human-readable meaning of a bError byte (English, for logs). */
export function describeCcidError(bError: number): string {
  const row = ERRORS[bError];
  if (row) return row.text;
  // 0x01..0x7F: index of the offending header field (table 6.2-2).
  if (bError >= 0x01 && bError <= 0x7f) return `bad value in message byte ${bError}`;
  return `reader-specific error 0x${bError.toString(16).padStart(2, '0')}`;
}

/**
 * The typed error for a failed RDR_to_PC message. An absent card outranks
 * bError: readers report "ICC mute" for an empty slot too.
 */
export function ccidFailure(bStatus: number, bError: number, context: Record<string, unknown> = {}): ReaderError {
  const details = { ...context, bStatus, bError, meaning: describeCcidError(bError) };
  if (iccStatus(bStatus) === 'absent') return new ReaderError('NO_CARD', 'no card in the reader slot', { details });
  const row = ERRORS[bError];
  const code: ReaderErrorCode = row ? row.code : bError >= 0x01 && bError <= 0x7f ? 'CCID_BAD_PARAMETER' : 'CCID_ERROR';
  return new ReaderError(code, `reader reported: ${describeCcidError(bError)}`, { details });
}
