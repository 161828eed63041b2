import { ReaderError } from './errors';
import { writeU16le, writeU32le } from './little-endian';

/**
 * Bulk-OUT messages, CCID Rev 1.1 §6.1: one function per message. Every
 * message is a 10-byte header followed by abData; the three header bytes after
 * bSeq are message specific.
 */
export const HEADER_LENGTH = 10;
export const OFFSET_MESSAGE_TYPE = 0;
export const OFFSET_DW_LENGTH = 1;
export const OFFSET_SLOT = 5;
export const OFFSET_SEQ = 6;
/** First of the three message-specific bytes. */
export const OFFSET_SPECIFIC = 7;

export const PC_TO_RDR_ICC_POWER_ON = 0x62;
export const PC_TO_RDR_ICC_POWER_OFF = 0x63;
export const PC_TO_RDR_GET_SLOT_STATUS = 0x65;
export const PC_TO_RDR_XFR_BLOCK = 0x6f;
export const PC_TO_RDR_GET_PARAMETERS = 0x6c;
export const PC_TO_RDR_RESET_PARAMETERS = 0x6d;
export const PC_TO_RDR_SET_PARAMETERS = 0x61;
export const PC_TO_RDR_ABORT = 0x72;

/** bPowerSelect (§6.1.1). */
export const POWER_SELECT_AUTO = 0x00;
export const POWER_SELECT_5V = 0x01;
export const POWER_SELECT_3V = 0x02;
export const POWER_SELECT_1_8V = 0x03;

/** bProtocolNum of SetParameters / Parameters (§6.1.7). */
export const PROTOCOL_NUM_T0 = 0x00;
export const PROTOCOL_NUM_T1 = 0x01;

/** Class-specific control request ABORT (§5.3.1), sent on the control pipe before PC_to_RDR_Abort. */
export const CONTROL_REQUEST_ABORT = 0x01;

function checkByte(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xff) {
    throw new ReaderError('APDU_MALFORMED', `${name} is not a byte`, { details: { [name]: v } });
  }
}

function message(type: number, slot: number, seq: number, specific: [number, number, number], data?: Uint8Array): Uint8Array {
  checkByte('slot', slot);
  checkByte('seq', seq);
  const body = data ?? new Uint8Array(0);
  const out = new Uint8Array(HEADER_LENGTH + body.length);
  out[OFFSET_MESSAGE_TYPE] = type;
  writeU32le(out, OFFSET_DW_LENGTH, body.length);
  out[OFFSET_SLOT] = slot;
  out[OFFSET_SEQ] = seq;
  out[OFFSET_SPECIFIC] = specific[0];
  out[OFFSET_SPECIFIC + 1] = specific[1];
  out[OFFSET_SPECIFIC + 2] = specific[2];
  out.set(body, HEADER_LENGTH);
  return out;
}

/** PC_to_RDR_IccPowerOn (§6.1.1): answered by a DataBlock carrying the ATR. */
export function iccPowerOn(slot: number, seq: number, powerSelect = POWER_SELECT_AUTO): Uint8Array {
  checkByte('powerSelect', powerSelect);
  return message(PC_TO_RDR_ICC_POWER_ON, slot, seq, [powerSelect, 0, 0]);
}

/** PC_to_RDR_IccPowerOff (§6.1.2): answered by a SlotStatus. */
export function iccPowerOff(slot: number, seq: number): Uint8Array {
  return message(PC_TO_RDR_ICC_POWER_OFF, slot, seq, [0, 0, 0]);
}

/** PC_to_RDR_GetSlotStatus (§6.1.3): answered by a SlotStatus. */
export function getSlotStatus(slot: number, seq: number): Uint8Array {
  return message(PC_TO_RDR_GET_SLOT_STATUS, slot, seq, [0, 0, 0]);
}

/**
 * wLevelParameter of XfrBlock on APDU-level readers (§6.1.4): how an extended
 * APDU is split over several XfrBlocks and how the host asks for the rest of a
 * chained response.
 */
export const LEVEL_BEGIN_AND_END = 0x0000;
export const LEVEL_BEGIN = 0x0001;
export const LEVEL_END = 0x0002;
export const LEVEL_CONTINUE = 0x0003;
export const LEVEL_EMPTY_CONTINUE_RESPONSE = 0x0010;

/**
 * PC_to_RDR_XfrBlock (§6.1.4). `bwi` extends the reader's block waiting time
 * for this transfer (used after an S(WTX) at TPDU level); `levelParameter`
 * carries APDU chaining, 0 at TPDU level.
 */
export function xfrBlock(
  slot: number,
  seq: number,
  data: Uint8Array,
  opts: { bwi?: number; levelParameter?: number } = {},
): Uint8Array {
  const bwi = opts.bwi ?? 0;
  const level = opts.levelParameter ?? LEVEL_BEGIN_AND_END;
  checkByte('bwi', bwi);
  const out = message(PC_TO_RDR_XFR_BLOCK, slot, seq, [bwi, 0, 0], data);
  writeU16le(out, OFFSET_SPECIFIC + 1, level);
  return out;
}

/** PC_to_RDR_GetParameters (§6.1.5): answered by Parameters. */
export function getParameters(slot: number, seq: number): Uint8Array {
  return message(PC_TO_RDR_GET_PARAMETERS, slot, seq, [0, 0, 0]);
}

/** PC_to_RDR_ResetParameters (§6.1.6): back to the defaults from the ATR; answered by Parameters. */
export function resetParameters(slot: number, seq: number): Uint8Array {
  return message(PC_TO_RDR_RESET_PARAMETERS, slot, seq, [0, 0, 0]);
}

/** abProtocolDataStructure for T=1 (§6.1.7, table 6.1-9), 7 bytes. */
export interface T1ProtocolData {
  /** Fi index (high nibble) and Di index (low nibble), as TA1. */
  findexDindex: number;
  /** bmTCCKST1: bit 0 = CRC (else LRC), bit 1 = inverse convention; bits 7..2 = 000100. */
  useCrc: boolean;
  inverseConvention: boolean;
  /** Extra guard time N, as TC1. */
  guardTime: number;
  /** BWI (high nibble) and CWI (low nibble), as TB3. */
  waitingIntegers: number;
  clockStop: number;
  ifsc: number;
  nad: number;
}

/** abProtocolDataStructure for T=0 (table 6.1-8), 5 bytes. */
export interface T0ProtocolData {
  findexDindex: number;
  inverseConvention: boolean;
  guardTime: number;
  waitingInteger: number;
  clockStop: number;
}

/** PC_to_RDR_SetParameters for T=1 (§6.1.7): answered by Parameters. */
export function setParametersT1(slot: number, seq: number, p: T1ProtocolData): Uint8Array {
  const fields = [p.findexDindex, p.guardTime, p.waitingIntegers, p.clockStop, p.ifsc, p.nad];
  fields.forEach((v, i) => checkByte(`t1[${i}]`, v));
  const tcckst = 0x10 | (p.inverseConvention ? 0x02 : 0) | (p.useCrc ? 0x01 : 0);
  const data = new Uint8Array([p.findexDindex, tcckst, p.guardTime, p.waitingIntegers, p.clockStop, p.ifsc, p.nad]);
  return message(PC_TO_RDR_SET_PARAMETERS, slot, seq, [PROTOCOL_NUM_T1, 0, 0], data);
}

/** PC_to_RDR_SetParameters for T=0 (§6.1.7): answered by Parameters. */
export function setParametersT0(slot: number, seq: number, p: T0ProtocolData): Uint8Array {
  const fields = [p.findexDindex, p.guardTime, p.waitingInteger, p.clockStop];
  fields.forEach((v, i) => checkByte(`t0[${i}]`, v));
  const tcckst = p.inverseConvention ? 0x02 : 0x00;
  const data = new Uint8Array([p.findexDindex, tcckst, p.guardTime, p.waitingInteger, p.clockStop]);
  return message(PC_TO_RDR_SET_PARAMETERS, slot, seq, [PROTOCOL_NUM_T0, 0, 0], data);
}

/**
 * PC_to_RDR_Abort (§6.1.13): the bulk half of an abort; the host first sends
 * the ABORT control request with the same slot and sequence number (§5.3.1).
 */
export function abort(slot: number, seq: number): Uint8Array {
  return message(PC_TO_RDR_ABORT, slot, seq, [0, 0, 0]);
}

/** wValue of the ABORT control request: bSeq in the high byte, bSlot in the low byte (§5.3.1). */
export function abortControlValue(slot: number, seq: number): number {
  checkByte('slot', slot);
  checkByte('seq', seq);
  return (seq << 8) | slot;
}
