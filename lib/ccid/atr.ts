import { ReaderError } from './errors';

/**
 * Answer-to-Reset parsing, ISO/IEC 7816-3 §8.2: just what a host needs to run
 * T=1 itself (IFSC, CWI/BWI, checksum type) and to program a TPDU-level reader
 * (Fi/Di, extra guard time, convention).
 */
export interface T1AtrParameters {
  /** Information field size of the card, 1..254 (default 32). */
  ifsc: number;
  /** Character waiting time integer, 0..15 (default 13). */
  cwi: number;
  /** Block waiting time integer, 0..9 (default 4). */
  bwi: number;
  edc: 'lrc' | 'crc';
}

export interface Atr {
  bytes: Uint8Array;
  convention: 'direct' | 'inverse';
  /** Protocols offered, in order of the TD bytes; T=0 when no TD1. */
  protocols: number[];
  /** TA1 (Fi index high nibble, Di index low nibble), 0x11 when absent. */
  ta1: number;
  /** TC1, extra guard time N (0 when absent). */
  tc1: number;
  /** TA2 present: the card is in specific mode and PPS is not allowed. */
  specificMode: boolean;
  /** TC2, the T=0 waiting time integer (default 10). */
  t0WaitingInteger: number;
  /** T=1 parameters (defaults when the ATR names T=1 without them). */
  t1: T1AtrParameters;
  historical: Uint8Array;
}

const MAX_ATR_LENGTH = 33;
export const T1_DEFAULTS: Readonly<T1AtrParameters> = { ifsc: 32, cwi: 13, bwi: 4, edc: 'lrc' };

function malformed(message: string, details: Record<string, unknown>): never {
  throw new ReaderError('ATR_MALFORMED', message, { details });
}

export function parseAtr(bytes: Uint8Array): Atr {
  if (bytes.length < 2 || bytes.length > MAX_ATR_LENGTH) malformed('ATR length out of range', { length: bytes.length });
  const ts = bytes[0];
  if (ts !== 0x3b && ts !== 0x3f) malformed('TS is neither 3B nor 3F', { ts });
  const t0 = bytes[1];
  const historicalCount = t0 & 0x0f;
  let y = t0 >> 4;
  let pos = 2;
  let i = 1;
  const protocols: number[] = [];
  let ta1 = 0x11;
  let tc1 = 0;
  let specificMode = false;
  let t0WaitingInteger = 10;
  const t1: T1AtrParameters = { ...T1_DEFAULTS };
  const seenT1 = { ta: false, tb: false, tc: false };
  // Protocol of the group being read: groups i >= 3 belong to the T named in TD(i-1).
  let groupProtocol = -1;

  const next = (name: string): number => {
    if (pos >= bytes.length) malformed('ATR truncated', { at: name, length: bytes.length });
    return bytes[pos++];
  };

  for (;;) {
    const ta = y & 0x1 ? next(`TA${i}`) : undefined;
    const tb = y & 0x2 ? next(`TB${i}`) : undefined;
    const tc = y & 0x4 ? next(`TC${i}`) : undefined;
    const td = y & 0x8 ? next(`TD${i}`) : undefined;
    if (i === 1) {
      if (ta !== undefined) ta1 = ta;
      if (tc !== undefined) tc1 = tc;
    } else if (i === 2) {
      if (ta !== undefined) specificMode = true;
      if (tc !== undefined) t0WaitingInteger = tc;
    }
    if (i >= 3 && groupProtocol === 1) {
      if (ta !== undefined && !seenT1.ta) {
        if (ta === 0x00 || ta === 0xff) malformed('IFSC 00 or FF is reserved', { ifsc: ta });
        t1.ifsc = ta;
        seenT1.ta = true;
      }
      if (tb !== undefined && !seenT1.tb) {
        t1.bwi = tb >> 4;
        t1.cwi = tb & 0x0f;
        seenT1.tb = true;
      }
      if (tc !== undefined && !seenT1.tc) {
        t1.edc = tc & 0x01 ? 'crc' : 'lrc';
        seenT1.tc = true;
      }
    }
    if (td === undefined) break;
    const t = td & 0x0f;
    protocols.push(t);
    groupProtocol = t;
    y = td >> 4;
    i++;
  }
  const offered = protocols.filter((t) => t !== 15);
  if (offered.length === 0) offered.push(0);
  const unique = [...new Set(offered)];

  if (pos + historicalCount > bytes.length) malformed('ATR truncated in historical bytes', { historicalCount, length: bytes.length });
  const historical = bytes.slice(pos, pos + historicalCount);
  pos += historicalCount;

  // TCK is present as soon as any protocol other than T=0 is named (§8.2.5).
  const needsTck = protocols.some((t) => t !== 0);
  if (needsTck) {
    if (pos !== bytes.length - 1) malformed('TCK missing or trailing bytes', { expectedLength: pos + 1, length: bytes.length });
    let x = 0;
    for (let k = 1; k < bytes.length; k++) x ^= bytes[k];
    if (x !== 0) malformed('TCK does not check', { xor: x });
  } else if (pos !== bytes.length) {
    malformed('trailing bytes after the historical bytes', { expectedLength: pos, length: bytes.length });
  }

  return {
    bytes: bytes.slice(),
    convention: ts === 0x3b ? 'direct' : 'inverse',
    protocols: unique,
    ta1,
    tc1,
    specificMode,
    t0WaitingInteger,
    t1,
    historical,
  };
}

export function offersT1(atr: Atr): boolean {
  return atr.protocols.includes(1);
}
