import { computeEdc, edcLength, type EdcKind } from './edc';

/**
 * T=1 block framing, ISO/IEC 7816-3 §11.3: prologue (NAD, PCB, LEN),
 * information field (0..254 bytes), epilogue (EDC).
 *
 * NAD: b7..b5 = destination address (DAD), b3..b1 = source address (SAD),
 * b8/b4 = 0. The card answers with the nibbles swapped; with NAD 00 both are 00.
 */
export const OFFSET_NAD = 0;
export const OFFSET_PCB = 1;
export const OFFSET_LEN = 2;
export const PROLOGUE_LENGTH = 3;
export const MAX_INF_LENGTH = 254;
/** LEN = FF is reserved (§11.3.2.3). */
export const LEN_RESERVED = 0xff;

/** PCB of an I-block (§11.3.2.2): b8 = 0, b7 = N(S), b6 = M (more data), b5..b1 = 0. */
export const PCB_I_SEQUENCE = 0x40;
export const PCB_I_MORE = 0x20;
/** PCB of an R-block: b8b7 = 10, b6 = 0, b5 = N(R), b4..b1 = error code. */
export const PCB_R = 0x80;
export const PCB_R_SEQUENCE = 0x10;
export const R_ERROR_NONE = 0x00;
export const R_ERROR_EDC = 0x01;
export const R_ERROR_OTHER = 0x02;
/** PCB of an S-block: b8b7 = 11, b6 = 0 request / 1 response, b5..b1 = type. */
export const PCB_S = 0xc0;
export const PCB_S_RESPONSE = 0x20;
export const S_RESYNCH = 0x00;
export const S_IFS = 0x01;
export const S_ABORT = 0x02;
export const S_WTX = 0x03;
export const S_VPP_ERROR = 0x04;

export type Bit = 0 | 1;
export type RError = 'none' | 'edc' | 'other';
export type SType = 'resynch' | 'ifs' | 'abort' | 'wtx' | 'vpp-error';

export type T1Block =
  | { kind: 'I'; nad: number; ns: Bit; more: boolean; inf: Uint8Array }
  | { kind: 'R'; nad: number; nr: Bit; error: RError }
  | { kind: 'S'; nad: number; type: SType; response: boolean; inf: Uint8Array };

const S_TYPES: Record<number, SType> = {
  [S_RESYNCH]: 'resynch',
  [S_IFS]: 'ifs',
  [S_ABORT]: 'abort',
  [S_WTX]: 'wtx',
  [S_VPP_ERROR]: 'vpp-error',
};
const S_CODES: Record<SType, number> = { resynch: S_RESYNCH, ifs: S_IFS, abort: S_ABORT, wtx: S_WTX, 'vpp-error': S_VPP_ERROR };
const R_CODES: Record<RError, number> = { none: R_ERROR_NONE, edc: R_ERROR_EDC, other: R_ERROR_OTHER };

export function pcbOf(block: T1Block): number {
  switch (block.kind) {
    case 'I':
      return (block.ns ? PCB_I_SEQUENCE : 0) | (block.more ? PCB_I_MORE : 0);
    case 'R':
      return PCB_R | (block.nr ? PCB_R_SEQUENCE : 0) | R_CODES[block.error];
    case 'S':
      return PCB_S | (block.response ? PCB_S_RESPONSE : 0) | S_CODES[block.type];
  }
}

export function encodeBlock(block: T1Block, edc: EdcKind): Uint8Array {
  const inf = block.kind === 'R' ? new Uint8Array(0) : block.inf;
  if (inf.length > MAX_INF_LENGTH) throw new RangeError(`T=1 information field of ${inf.length} bytes`);
  const out = new Uint8Array(PROLOGUE_LENGTH + inf.length + edcLength(edc));
  out[OFFSET_NAD] = block.nad;
  out[OFFSET_PCB] = pcbOf(block);
  out[OFFSET_LEN] = inf.length;
  out.set(inf, PROLOGUE_LENGTH);
  out.set(computeEdc(edc, out, PROLOGUE_LENGTH + inf.length), PROLOGUE_LENGTH + inf.length);
  return out;
}

/** Why a received block is invalid; maps to the R-block error code the receiver answers with. */
export interface InvalidBlock {
  error: 'edc' | 'other';
  reason: string;
}

export type DecodeResult = { ok: true; block: T1Block } | { ok: false; invalid: InvalidBlock };

const invalid = (error: 'edc' | 'other', reason: string): DecodeResult => ({ ok: false, invalid: { error, reason } });

/**
 * Decodes a received block. Anything off (length, EDC, reserved PCB values,
 * S-block lengths) yields `ok: false` with the R-block error to report, so
 * the protocol can apply its error-recovery rules instead of throwing.
 */
export function decodeBlock(bytes: Uint8Array, edc: EdcKind): DecodeResult {
  const edcLen = edcLength(edc);
  if (bytes.length < PROLOGUE_LENGTH + edcLen) return invalid('other', 'block shorter than prologue and epilogue');
  const len = bytes[OFFSET_LEN];
  if (len === LEN_RESERVED) return invalid('other', 'LEN = FF is reserved');
  if (bytes.length !== PROLOGUE_LENGTH + len + edcLen) return invalid('other', 'LEN does not match the block length');
  const expected = computeEdc(edc, bytes, PROLOGUE_LENGTH + len);
  for (let i = 0; i < edcLen; i++) {
    if (bytes[PROLOGUE_LENGTH + len + i] !== expected[i]) return invalid('edc', 'EDC mismatch');
  }
  const nad = bytes[OFFSET_NAD];
  const pcb = bytes[OFFSET_PCB];
  const inf = bytes.slice(PROLOGUE_LENGTH, PROLOGUE_LENGTH + len);
  if ((pcb & 0x80) === 0) {
    if (pcb & 0x1f) return invalid('other', 'I-block PCB with reserved bits set');
    return { ok: true, block: { kind: 'I', nad, ns: pcb & PCB_I_SEQUENCE ? 1 : 0, more: (pcb & PCB_I_MORE) !== 0, inf } };
  }
  if ((pcb & 0xc0) === PCB_R) {
    if (pcb & 0x20) return invalid('other', 'R-block PCB with b6 set');
    if (len !== 0) return invalid('other', 'R-block with an information field');
    const code = pcb & 0x0f;
    const error: RError | undefined = code === 0 ? 'none' : code === 1 ? 'edc' : code === 2 ? 'other' : undefined;
    if (!error) return invalid('other', 'R-block with a reserved error code');
    return { ok: true, block: { kind: 'R', nad, nr: pcb & PCB_R_SEQUENCE ? 1 : 0, error } };
  }
  const type = S_TYPES[pcb & 0x1f];
  if (!type) return invalid('other', 'S-block of a reserved type');
  const wantLen = type === 'ifs' || type === 'wtx' ? 1 : 0;
  if (len !== wantLen) return invalid('other', `S(${type}) with LEN ${len}`);
  return { ok: true, block: { kind: 'S', nad, type, response: (pcb & PCB_S_RESPONSE) !== 0, inf } };
}

export const iBlock = (ns: Bit, more: boolean, inf: Uint8Array, nad = 0): T1Block => ({ kind: 'I', nad, ns, more, inf });
export const rBlock = (nr: Bit, error: RError = 'none', nad = 0): T1Block => ({ kind: 'R', nad, nr, error });
export const sBlock = (type: SType, response: boolean, inf: Uint8Array = new Uint8Array(0), nad = 0): T1Block => ({
  kind: 'S',
  nad,
  type,
  response,
  inf,
});
