/**
 * Status words as data: what the eGK answers and what each command's caller may
 * accept. Names follow gemSpec_COS (as cited in OpenHealth-Core
 * `command/health_card_status.rs` and lib-smartcards), meanings ISO 7816-4 §5.6.
 */
export const SW = {
  NO_ERROR: 0x9000,
  CORRUPT_DATA_WARNING: 0x6281,
  END_OF_FILE_WARNING: 0x6282,
  FILE_DEACTIVATED: 0x6283,
  MEMORY_FAILURE: 0x6581,
  WRONG_LENGTH: 0x6700,
  LOGICAL_CHANNEL_NOT_SUPPORTED: 0x6881,
  SM_NOT_SUPPORTED: 0x6882,
  LAST_COMMAND_EXPECTED: 0x6883,
  COMMAND_CHAINING_NOT_SUPPORTED: 0x6884,
  WRONG_FILE_TYPE: 0x6981,
  SECURITY_STATUS_NOT_SATISFIED: 0x6982,
  AUTHENTICATION_BLOCKED: 0x6983,
  CONDITIONS_NOT_SATISFIED: 0x6985,
  NO_CURRENT_EF: 0x6986,
  SM_DATA_MISSING: 0x6987,
  SM_DATA_INCORRECT: 0x6988,
  WRONG_DATA: 0x6a80,
  FUNCTION_NOT_SUPPORTED: 0x6a81,
  FILE_NOT_FOUND: 0x6a82,
  RECORD_NOT_FOUND: 0x6a83,
  OUT_OF_MEMORY: 0x6a84,
  WRONG_P1P2: 0x6a86,
  LC_INCONSISTENT: 0x6a87,
  KEY_NOT_FOUND: 0x6a88,
  OFFSET_TOO_BIG: 0x6b00,
  INS_NOT_SUPPORTED: 0x6d00,
  CLA_NOT_SUPPORTED: 0x6e00,
  UNKNOWN_ERROR: 0x6f00,
  VERIFICATION_ERROR: 0x6400,
} as const;

export type SwName = keyof typeof SW;

const NAMES = new Map<number, SwName>(Object.entries(SW).map(([k, v]) => [v, k as SwName]));

const TEXT: Partial<Record<SwName, string>> = {
  NO_ERROR: 'normal processing',
  CORRUPT_DATA_WARNING: 'returned data may be corrupted (checksum)',
  END_OF_FILE_WARNING: 'end of file reached before Ne bytes were read',
  FILE_DEACTIVATED: 'selected file is deactivated',
  WRONG_LENGTH: 'wrong length',
  SM_NOT_SUPPORTED: 'secure messaging not supported',
  LAST_COMMAND_EXPECTED: 'last command of a chain expected',
  WRONG_FILE_TYPE: 'command incompatible with file structure',
  SECURITY_STATUS_NOT_SATISFIED: 'security status not satisfied (access rule)',
  CONDITIONS_NOT_SATISFIED: 'conditions of use not satisfied',
  NO_CURRENT_EF: 'no current EF',
  SM_DATA_MISSING: 'expected secure-messaging data objects missing',
  SM_DATA_INCORRECT: 'secure-messaging data objects incorrect (MAC, padding, layout)',
  WRONG_DATA: 'incorrect data in the command data field',
  FUNCTION_NOT_SUPPORTED: 'function not supported',
  FILE_NOT_FOUND: 'file or application not found',
  WRONG_P1P2: 'incorrect P1 P2',
  KEY_NOT_FOUND: 'referenced key or data not found',
  OFFSET_TOO_BIG: 'offset beyond the end of the file',
  INS_NOT_SUPPORTED: 'instruction not supported',
  CLA_NOT_SUPPORTED: 'class not supported',
  VERIFICATION_ERROR: 'verification failed (e.g. certificate signature)',
};

export function swName(sw: number): SwName | `WRONG_SECRET_WARNING_${number}` | 'UNKNOWN' {
  const n = NAMES.get(sw);
  if (n) return n;
  if ((sw & 0xfff0) === 0x63c0) return `WRONG_SECRET_WARNING_${sw & 0x0f}`;
  return 'UNKNOWN';
}

export function describeSw(sw: number): string {
  const n = NAMES.get(sw);
  const hex = sw.toString(16).toUpperCase().padStart(4, '0');
  if (n) return `${hex} ${n}${TEXT[n] ? `: ${TEXT[n]}` : ''}`;
  if ((sw & 0xfff0) === 0x63c0) return `${hex} wrong secret, ${sw & 0x0f} tries left`;
  return `${hex} unknown status`;
}

/** A process-completed status (ISO: 90xx, 61xx, 62xx, 63xx) rather than an error (64xx–6Fxx). */
export function isSuccessOrWarning(sw: number): boolean {
  const sw1 = sw >> 8;
  return sw === 0x9000 || sw1 === 0x61 || sw1 === 0x62 || sw1 === 0x63;
}

/**
 * Status words each PoPP step accepts (what the service puts into a scenario's
 * `expectedStatusWords`). Reads accept 6281 like gematik's sample server
 * (`StepId.java`); everything else only 9000. MSE SET DST may answer 6A88 when
 * the card lacks the issuer key, which tells the service to walk up the chain.
 */
export const EXPECTED_SW = {
  selectFile: [SW.NO_ERROR],
  readBinary: [SW.NO_ERROR, SW.CORRUPT_DATA_WARNING],
  listPublicKey: [SW.NO_ERROR],
  mseSetAt: [SW.NO_ERROR],
  mseSetDst: [SW.NO_ERROR],
  psoVerifyCertificate: [SW.NO_ERROR],
  generalAuthenticate: [SW.NO_ERROR],
  internalAuthenticate: [SW.NO_ERROR],
} as const satisfies Record<string, readonly number[]>;
