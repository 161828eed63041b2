import { concat } from '../bytes/bytes';
import { CardError } from './errors';

/**
 * An ISO 7816-4 command APDU. `ne` is the expected response length Ne
 * (1..65536, 256 and 65536 are encoded as Le 00 / 0000); undefined = no Le field.
 */
export interface CommandApdu {
  cla: number;
  ins: number;
  p1: number;
  p2: number;
  data: Uint8Array;
  ne?: number;
}

export interface ParsedCommandApdu extends CommandApdu {
  /** ISO case 1..4. */
  case: 1 | 2 | 3 | 4;
  /** Whether Lc/Le used the extended (3/2-byte) form. */
  extended: boolean;
}

export const NE_MAX_SHORT = 256;
export const NE_MAX_EXTENDED = 65536;

function badLength(message: string, details: Record<string, unknown>): never {
  throw new CardError('APDU_LENGTH', message, { details });
}

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) {
    throw new CardError('APDU_MALFORMED', `${name} is not a byte`, { details: { [name]: v } });
  }
}

export function command(cla: number, ins: number, p1: number, p2: number, data?: Uint8Array, ne?: number): CommandApdu {
  return { cla, ins, p1, p2, data: data ?? new Uint8Array(0), ne };
}

/**
 * Encodes a command. Extended length is used when the data or Ne need it, or
 * when `extended` forces it (gematik's traces send extended Le to the eGK
 * even where a short one would fit, e.g. LIST PUBLIC KEY `80CA0100000000`).
 */
export function encodeCommand(cmd: CommandApdu, opts: { extended?: boolean } = {}): Uint8Array {
  checkByte('cla', cmd.cla);
  checkByte('ins', cmd.ins);
  checkByte('p1', cmd.p1);
  checkByte('p2', cmd.p2);
  const nc = cmd.data.length;
  const ne = cmd.ne;
  if (nc > 65535) badLength('command data longer than 65535', { nc });
  if (ne !== undefined && (!Number.isInteger(ne) || ne < 1 || ne > NE_MAX_EXTENDED)) badLength('Ne out of range', { ne });
  const ext = opts.extended === true || nc > 255 || (ne !== undefined && ne > NE_MAX_SHORT);
  let lc: number[] = [];
  let le: number[] = [];
  if (nc > 0) lc = ext ? [0, nc >> 8, nc & 0xff] : [nc];
  if (ne !== undefined) {
    if (ext) {
      const v = ne === NE_MAX_EXTENDED ? 0 : ne;
      // Case 2E carries the 00 marker itself; in case 4E it already leads Lc.
      le = nc === 0 ? [0, v >> 8, v & 0xff] : [v >> 8, v & 0xff];
    } else {
      le = [ne === NE_MAX_SHORT ? 0 : ne];
    }
  }
  return concat(new Uint8Array([cmd.cla, cmd.ins, cmd.p1, cmd.p2, ...lc]), cmd.data, new Uint8Array(le));
}

/** Parses a command APDU strictly by ISO 7816-4 §5.1; anything else is APDU_MALFORMED. */
export function parseCommand(bytes: Uint8Array): ParsedCommandApdu {
  const n = bytes.length;
  if (n < 4) throw new CardError('APDU_MALFORMED', 'command APDU shorter than 4 bytes', { details: { length: n } });
  const [cla, ins, p1, p2] = bytes;
  const base = { cla, ins, p1, p2 };
  if (n === 4) return { ...base, data: new Uint8Array(0), case: 1, extended: false };
  const b4 = bytes[4];
  if (n === 5) return { ...base, data: new Uint8Array(0), ne: b4 === 0 ? 256 : b4, case: 2, extended: false };
  if (b4 !== 0) {
    const nc = b4;
    if (n === 5 + nc) return { ...base, data: bytes.slice(5), case: 3, extended: false };
    if (n === 6 + nc) {
      const le = bytes[n - 1];
      return { ...base, data: bytes.slice(5, 5 + nc), ne: le === 0 ? 256 : le, case: 4, extended: false };
    }
    throw new CardError('APDU_MALFORMED', 'short Lc does not match the APDU length', { details: { nc, length: n } });
  }
  if (n === 7) {
    const le = (bytes[5] << 8) | bytes[6];
    return { ...base, data: new Uint8Array(0), ne: le === 0 ? 65536 : le, case: 2, extended: true };
  }
  if (n < 7) throw new CardError('APDU_MALFORMED', 'truncated extended length field', { details: { length: n } });
  const nc = (bytes[5] << 8) | bytes[6];
  if (nc === 0) throw new CardError('APDU_MALFORMED', 'extended Lc of zero', { details: { length: n } });
  if (n === 7 + nc) return { ...base, data: bytes.slice(7), case: 3, extended: true };
  if (n === 9 + nc) {
    const le = (bytes[n - 2] << 8) | bytes[n - 1];
    return { ...base, data: bytes.slice(7, 7 + nc), ne: le === 0 ? 65536 : le, case: 4, extended: true };
  }
  throw new CardError('APDU_MALFORMED', 'extended Lc does not match the APDU length', { details: { nc, length: n } });
}

/** Command chaining (ISO 7816-4 §5.3.3): bit b5 of an interindustry CLA. */
export function withChaining(cla: number): number {
  return cla | 0x10;
}

export function isChained(cla: number): boolean {
  return (cla & 0x80) === 0 && (cla & 0x10) !== 0;
}

/** Secure messaging indication b4b3 = 11 (header authenticated), ISO 7816-4 §5.4.1. */
export function isSecureMessaging(cla: number): boolean {
  return (cla & 0x80) === 0 && (cla & 0x0c) === 0x0c;
}
