import { ReaderError } from './errors';
import { readU16le, readU32le } from './little-endian';

/**
 * The CCID functional ("class") descriptor, CCID Rev 1.1 §5.1, 54 bytes.
 * Offsets are those of the specification's table; all multi-byte fields are
 * little-endian.
 */
export const CCID_CLASS_DESCRIPTOR_LENGTH = 0x36;
export const CCID_DESCRIPTOR_TYPE = 0x21;
/** Pre-standard readers (vendor class 0xFF) tag the same layout 0xFF (e.g. Dell SK-3106, Gem e-Seal Pro). */
export const CCID_DESCRIPTOR_TYPE_PROPRIETARY = 0xff;

const OFFSET_BCD_CCID = 2;
const OFFSET_MAX_SLOT_INDEX = 4;
const OFFSET_VOLTAGE_SUPPORT = 5;
const OFFSET_PROTOCOLS = 6;
const OFFSET_DEFAULT_CLOCK = 10;
const OFFSET_MAXIMUM_CLOCK = 14;
const OFFSET_NUM_CLOCKS = 18;
const OFFSET_DATA_RATE = 19;
const OFFSET_MAX_DATA_RATE = 23;
const OFFSET_NUM_DATA_RATES = 27;
const OFFSET_MAX_IFSD = 28;
const OFFSET_SYNCH_PROTOCOLS = 32;
const OFFSET_MECHANICAL = 36;
const OFFSET_FEATURES = 40;
const OFFSET_MAX_MESSAGE_LENGTH = 44;
const OFFSET_CLASS_GET_RESPONSE = 48;
const OFFSET_CLASS_ENVELOPE = 49;
const OFFSET_LCD_LAYOUT = 50;
const OFFSET_PIN_SUPPORT = 52;
const OFFSET_MAX_BUSY_SLOTS = 53;

export interface CcidClassDescriptor {
  descriptorType: number;
  /** BCD, e.g. 0x0110 for 1.10. */
  bcdCCID: number;
  maxSlotIndex: number;
  voltageSupport: number;
  /** dwProtocols: bit 0 = T=0, bit 1 = T=1. */
  protocols: number;
  defaultClockKhz: number;
  maximumClockKhz: number;
  numClockSupported: number;
  dataRate: number;
  maxDataRate: number;
  numDataRatesSupported: number;
  maxIFSD: number;
  synchProtocols: number;
  mechanical: number;
  features: number;
  maxMessageLength: number;
  classGetResponse: number;
  classEnvelope: number;
  lcdLayout: number;
  pinSupport: number;
  maxBusySlots: number;
}

export const PROTOCOL_T0 = 0x1;
export const PROTOCOL_T1 = 0x2;

export function isCcidClassDescriptor(d: Uint8Array): boolean {
  return (
    d.length >= CCID_CLASS_DESCRIPTOR_LENGTH &&
    d[0] === CCID_CLASS_DESCRIPTOR_LENGTH &&
    (d[1] === CCID_DESCRIPTOR_TYPE || d[1] === CCID_DESCRIPTOR_TYPE_PROPRIETARY)
  );
}

export function parseCcidClassDescriptor(d: Uint8Array): CcidClassDescriptor {
  if (!isCcidClassDescriptor(d)) {
    throw new ReaderError('DESCRIPTOR_MALFORMED', 'not a 54-byte CCID class descriptor', {
      details: { length: d.length, bLength: d[0], type: d[1] },
    });
  }
  return {
    descriptorType: d[1],
    bcdCCID: readU16le(d, OFFSET_BCD_CCID),
    maxSlotIndex: d[OFFSET_MAX_SLOT_INDEX],
    voltageSupport: d[OFFSET_VOLTAGE_SUPPORT],
    protocols: readU32le(d, OFFSET_PROTOCOLS),
    defaultClockKhz: readU32le(d, OFFSET_DEFAULT_CLOCK),
    maximumClockKhz: readU32le(d, OFFSET_MAXIMUM_CLOCK),
    numClockSupported: d[OFFSET_NUM_CLOCKS],
    dataRate: readU32le(d, OFFSET_DATA_RATE),
    maxDataRate: readU32le(d, OFFSET_MAX_DATA_RATE),
    numDataRatesSupported: d[OFFSET_NUM_DATA_RATES],
    maxIFSD: readU32le(d, OFFSET_MAX_IFSD),
    synchProtocols: readU32le(d, OFFSET_SYNCH_PROTOCOLS),
    mechanical: readU32le(d, OFFSET_MECHANICAL),
    features: readU32le(d, OFFSET_FEATURES),
    maxMessageLength: readU32le(d, OFFSET_MAX_MESSAGE_LENGTH),
    classGetResponse: d[OFFSET_CLASS_GET_RESPONSE],
    classEnvelope: d[OFFSET_CLASS_ENVELOPE],
    lcdLayout: readU16le(d, OFFSET_LCD_LAYOUT),
    pinSupport: d[OFFSET_PIN_SUPPORT],
    maxBusySlots: d[OFFSET_MAX_BUSY_SLOTS],
  };
}

/** The first CCID class descriptor among an interface's extra descriptors, if any. */
export function findCcidClassDescriptor(extra: Uint8Array[]): CcidClassDescriptor | undefined {
  const d = extra.find(isCcidClassDescriptor);
  return d ? parseCcidClassDescriptor(d) : undefined;
}
