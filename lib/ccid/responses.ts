import { ReaderError } from './errors';
import { readU32le } from './little-endian';
import { HEADER_LENGTH, OFFSET_DW_LENGTH, OFFSET_MESSAGE_TYPE, OFFSET_SEQ, OFFSET_SLOT, OFFSET_SPECIFIC } from './messages';
import { commandStatus, iccStatus, type CommandStatus, type IccStatus } from './status';

/** Bulk-IN messages, CCID Rev 1.1 §6.2. */
export const RDR_TO_PC_DATA_BLOCK = 0x80;
export const RDR_TO_PC_SLOT_STATUS = 0x81;
export const RDR_TO_PC_PARAMETERS = 0x82;
export const RDR_TO_PC_ESCAPE = 0x83;
export const RDR_TO_PC_DATA_RATE_AND_CLOCK = 0x84;

const OFFSET_STATUS = OFFSET_SPECIFIC;
const OFFSET_ERROR = OFFSET_SPECIFIC + 1;
/** bChainParameter (DataBlock), bClockStatus (SlotStatus), bProtocolNum (Parameters). */
const OFFSET_THIRD = OFFSET_SPECIFIC + 2;

/** bChainParameter of a DataBlock on APDU-level readers (§6.2.1). */
export const CHAIN_BEGIN_AND_END = 0x00;
export const CHAIN_BEGIN = 0x01;
export const CHAIN_END = 0x02;
export const CHAIN_CONTINUE = 0x03;
export const CHAIN_EMPTY_EXPECT_MORE = 0x10;

export interface RdrToPcBase {
  slot: number;
  seq: number;
  bStatus: number;
  bError: number;
  icc: IccStatus;
  command: CommandStatus;
  data: Uint8Array;
}

export type RdrToPcMessage =
  | (RdrToPcBase & { type: 'data-block'; chainParameter: number })
  | (RdrToPcBase & { type: 'slot-status'; clockStatus: number })
  | (RdrToPcBase & { type: 'parameters'; protocolNum: number })
  | (RdrToPcBase & { type: 'escape' })
  | (RdrToPcBase & { type: 'data-rate-and-clock' });

export type RdrToPcType = RdrToPcMessage['type'];

const TYPES: Record<number, RdrToPcType> = {
  [RDR_TO_PC_DATA_BLOCK]: 'data-block',
  [RDR_TO_PC_SLOT_STATUS]: 'slot-status',
  [RDR_TO_PC_PARAMETERS]: 'parameters',
  [RDR_TO_PC_ESCAPE]: 'escape',
  [RDR_TO_PC_DATA_RATE_AND_CLOCK]: 'data-rate-and-clock',
};

export function isReaderMessageType(bMessageType: number): boolean {
  return TYPES[bMessageType] !== undefined;
}

/** How many bytes a complete message starting at `bytes` needs, or undefined while the header is incomplete. */
export function expectedMessageLength(bytes: Uint8Array): number | undefined {
  if (bytes.length < HEADER_LENGTH) return undefined;
  return HEADER_LENGTH + readU32le(bytes, OFFSET_DW_LENGTH);
}

/**
 * Parses one bulk-IN message. Garbage (unknown type, wrong dwLength, a message
 * longer than the reader's own maximum) is MESSAGE_MALFORMED, never a crash.
 */
export function parseReaderMessage(bytes: Uint8Array, maxMessageLength = 65_536 + HEADER_LENGTH): RdrToPcMessage {
  if (bytes.length < HEADER_LENGTH) {
    throw new ReaderError('MESSAGE_MALFORMED', 'reader message shorter than the CCID header', {
      details: { length: bytes.length },
    });
  }
  const type = TYPES[bytes[OFFSET_MESSAGE_TYPE]];
  if (!type) {
    throw new ReaderError('MESSAGE_MALFORMED', 'unknown reader message type', {
      details: { bMessageType: bytes[OFFSET_MESSAGE_TYPE] },
    });
  }
  const dwLength = readU32le(bytes, OFFSET_DW_LENGTH);
  if (HEADER_LENGTH + dwLength > maxMessageLength) {
    throw new ReaderError('RESPONSE_TOO_LARGE', 'reader message longer than dwMaxCCIDMessageLength', {
      details: { dwLength, maxMessageLength },
    });
  }
  if (bytes.length !== HEADER_LENGTH + dwLength) {
    throw new ReaderError('MESSAGE_MALFORMED', 'dwLength does not match the message length', {
      details: { dwLength, length: bytes.length },
    });
  }
  const bStatus = bytes[OFFSET_STATUS];
  const base: RdrToPcBase = {
    slot: bytes[OFFSET_SLOT],
    seq: bytes[OFFSET_SEQ],
    bStatus,
    bError: bytes[OFFSET_ERROR],
    icc: iccStatus(bStatus),
    command: commandStatus(bStatus),
    data: bytes.slice(HEADER_LENGTH),
  };
  const third = bytes[OFFSET_THIRD];
  switch (type) {
    case 'data-block':
      return { ...base, type, chainParameter: third };
    case 'slot-status':
      return { ...base, type, clockStatus: third };
    case 'parameters':
      return { ...base, type, protocolNum: third };
    case 'escape':
      return { ...base, type };
    case 'data-rate-and-clock':
      return { ...base, type };
  }
}

/** The reply type each command expects (§6.1, "response" column). */
export const EXPECTED_REPLY: Record<number, RdrToPcType> = {
  0x62: 'data-block',
  0x63: 'slot-status',
  0x65: 'slot-status',
  0x6f: 'data-block',
  0x6c: 'parameters',
  0x6d: 'parameters',
  0x61: 'parameters',
  0x72: 'slot-status',
};
