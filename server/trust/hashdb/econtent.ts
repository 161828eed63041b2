/**
 * The signed content of an eGK hash-database import file (A_27045, decoded from gematik's
 * popp-sample-hashes-ru-tu files):
 *   SEQUENCE { version INTEGER 0,
 *              SEQUENCE OF SET { status INTEGER (0 import, 1 remove), hashAut BIT STRING (32 bytes),
 *                                hashCvc OCTET STRING (32 bytes), notAfter UTCTime } }
 * hashAut = SHA-256(C.CH.AUT.E256), hashCvc = SHA-256(EF.C.eGK.AUT_CVC.E256).
 */
import { TrustError } from '../errors';
import { DerError, bitString, children, integer, octets, readInteger, readOne, readTime, seq, set, utcTime, type Tlv } from '../der';

export interface HashDbEntry {
  action: 'import' | 'remove';
  /** Lower-case hex of the 32-byte hashes. */
  hashAut: string;
  hashCvc: string;
  notAfter: Date;
}

function one(entry: Tlv[], tag: number, what: string): Tlv {
  const found = entry.filter((t) => t.tag === tag);
  if (found.length !== 1) throw new DerError(`entry needs exactly one ${what}`);
  return found[0]!;
}

function readEntry(t: Tlv, index: number): HashDbEntry {
  if (t.tag !== 0x31) throw new DerError(`entry ${index} is not a SET`);
  const parts = children(t);
  if (parts.length !== 4) throw new DerError(`entry ${index} has ${parts.length} fields, expected 4`);
  const status = readInteger(one(parts, 0x02, 'status'));
  if (status !== 0n && status !== 1n) throw new DerError(`entry ${index}: status ${status} is neither 0 (import) nor 1 (remove)`);
  const aut = one(parts, 0x03, 'hashAut').value;
  if (aut.length !== 33 || aut[0] !== 0) throw new DerError(`entry ${index}: hashAut is not a 256-bit BIT STRING`);
  const cvc = one(parts, 0x04, 'hashCvc').value;
  if (cvc.length !== 32) throw new DerError(`entry ${index}: hashCvc is not 32 bytes`);
  const time = parts.find((p) => p.tag === 0x17 || p.tag === 0x18);
  if (!time) throw new DerError(`entry ${index}: notAfter missing`);
  return {
    action: status === 0n ? 'import' : 'remove',
    hashAut: Buffer.from(aut.subarray(1)).toString('hex'),
    hashCvc: Buffer.from(cvc).toString('hex'),
    notAfter: readTime(time),
  };
}

export function parseEContent(der: Uint8Array): HashDbEntry[] {
  try {
    const [version, list, ...rest] = children(readOne(der));
    if (!version || readInteger(version) !== 0n) throw new DerError('version is not 0');
    if (!list || list.tag !== 0x30 || rest.length > 0) throw new DerError('expected SEQUENCE { version, SEQUENCE OF entry }');
    const entries = children(list).map(readEntry);
    if (entries.length === 0) throw new DerError('no entries');
    return entries;
  } catch (e) {
    throw new TrustError('IMPORT_MALFORMED', `Importinhalt (A_27045) ungültig: ${(e as Error).message}`, { cause: e });
  }
}

/** Encodes entries as A_27045 eContent (the project's test signer and tests). */
export function encodeEContent(entries: HashDbEntry[]): Uint8Array {
  // Concatenated first: spreading 100,000s of entries into one call overflows the stack.
  const list = Buffer.concat(
    entries.map((e) => set(integer(e.action === 'import' ? 0 : 1), bitString(Buffer.from(e.hashAut, 'hex')), octets(Buffer.from(e.hashCvc, 'hex')), utcTime(e.notAfter))),
  );
  return seq(integer(0), seq(list));
}
