import { PROTOCOL_T0, PROTOCOL_T1, findCcidClassDescriptor, type CcidClassDescriptor } from './class-descriptor';
import { exchangeLevel, type ExchangeLevel } from './features';
import { quirksFor, type ReaderQuirk } from './quirks';
import type { UsbConfigurationDescriptor, UsbEndpointDescriptor, UsbInterfaceDescriptor } from './usb-descriptors';

/** USB interface classes used here (USB-IF class codes). */
export const USB_CLASS_SMART_CARD = 0x0b;
export const USB_CLASS_VENDOR_SPECIFIC = 0xff;

/**
 * Interface classes Chrome's WebUSB refuses to claim for ordinary sites
 * ("protected interface classes": audio, HID, mass storage, smart card, video,
 * audio/video, wireless controller; blink-dev "WebUSB Interface Class
 * Filtering", 2018). Only Isolated Web Apps with `usb-unrestricted` escape it.
 */
export const WEBUSB_PROTECTED_CLASSES: ReadonlySet<number> = new Set([0x01, 0x03, 0x08, 0x0b, 0x0e, 0x10, 0xe0]);

/** bInterfaceProtocol of a smart-card-class interface (CCID Rev 1.1 §4.1; ICCD spec). */
export const INTERFACE_PROTOCOL_CCID = 0;
export const INTERFACE_PROTOCOL_ICCD_A = 1;
export const INTERFACE_PROTOCOL_ICCD_B = 2;

/** CCID message header: every abData limit is dwMaxCCIDMessageLength minus this. */
export const CCID_HEADER_LENGTH = 10;
/** Largest short command APDU: header, Lc, 255 data bytes, Le. */
export const SHORT_APDU_MAX = 4 + 1 + 255 + 1;
/** Largest extended command APDU: header, 3-byte Lc, 65535 data bytes, 2-byte Le. */
export const EXTENDED_APDU_MAX = 4 + 3 + 65535 + 2;
/** T=1 block overhead: NAD, PCB, LEN and up to two EDC bytes. */
const T1_BLOCK_OVERHEAD = 5;

export type InterfaceTransport = 'bulk' | 'iccd-a' | 'iccd-b' | 'none';

export interface InterfaceInput {
  vendorId: number;
  productId: number;
  bcdDevice: number;
  interfaceNumber: number;
  alternateSetting: number;
  interfaceClass: number;
  interfaceSubclass: number;
  interfaceProtocol: number;
  endpoints: UsbEndpointDescriptor[];
  ccid: CcidClassDescriptor;
}

export interface InterfaceClassification {
  interfaceNumber: number;
  alternateSetting: number;
  /** The level as announced in dwFeatures. */
  announcedLevel: ExchangeLevel;
  /** The level the driver uses, after quirks. */
  exchangeLevel: ExchangeLevel;
  transport: InterfaceTransport;
  /** dwMaxCCIDMessageLength: largest CCID message incl. its 10-byte header. */
  maxMessageLength: number;
  /** Largest command APDU a single transmit can carry through this interface. */
  maxCommandApdu: number;
  /** IFSD the host may announce for T=1 (bounded by dwMaxIFSD and the message length). */
  maxIFSD: number;
  t0: boolean;
  t1: boolean;
  maxSlotIndex: number;
  /** The interface class is on Chrome's protected list. */
  protectedClass: boolean;
  /** An ordinary (non-isolated) web page may claim it through WebUSB. */
  webUsbClaimable: boolean;
  /** The project's WebUSB driver can run this interface. */
  supported: boolean;
  /** Why not, in English (logs, docs); the UI maps `code`-level texts itself. */
  reason?: string;
  responseTimeoutMs?: number;
  quirks: ReaderQuirk[];
}

function transportOf(i: InterfaceInput): InterfaceTransport {
  if (i.interfaceClass === USB_CLASS_SMART_CARD && i.interfaceProtocol === INTERFACE_PROTOCOL_ICCD_A) return 'iccd-a';
  if (i.interfaceClass === USB_CLASS_SMART_CARD && i.interfaceProtocol === INTERFACE_PROTOCOL_ICCD_B) return 'iccd-b';
  const bulkIn = i.endpoints.some((e) => e.type === 'bulk' && e.direction === 'in');
  const bulkOut = i.endpoints.some((e) => e.type === 'bulk' && e.direction === 'out');
  return bulkIn && bulkOut ? 'bulk' : 'none';
}

/**
 * Decides what the driver can do with one CCID interface. Pure: the same
 * function classifies a live WebUSB device and the descriptor dumps in tests.
 */
export function classifyInterface(i: InterfaceInput): InterfaceClassification {
  const announcedLevel = exchangeLevel(i.ccid.features);
  const quirks = quirksFor(i.vendorId, i.productId, i.bcdDevice, announcedLevel);
  let level = announcedLevel;
  let maxIFSDRaw = i.ccid.maxIFSD;
  let responseTimeoutMs: number | undefined;
  let refused: string | undefined;
  for (const q of quirks) {
    if (q.fix.exchangeLevel) level = q.fix.exchangeLevel;
    if (q.fix.maxIFSD !== undefined) maxIFSDRaw = q.fix.maxIFSD;
    if (q.fix.responseTimeoutMs !== undefined) responseTimeoutMs = q.fix.responseTimeoutMs;
    if (q.fix.refuse) refused = q.fix.refuse;
  }

  const maxMessageLength = i.ccid.maxMessageLength;
  const maxData = Math.max(0, maxMessageLength - CCID_HEADER_LENGTH);
  const t0 = (i.ccid.protocols & PROTOCOL_T0) !== 0;
  const t1 = (i.ccid.protocols & PROTOCOL_T1) !== 0;
  // The host's receive size for T=1 is limited by the reader's buffer and by
  // what one XfrBlock can carry (3-byte prologue plus up to 2 EDC bytes).
  const maxIFSD = Math.max(0, Math.min(254, maxIFSDRaw || 254, maxData - T1_BLOCK_OVERHEAD));

  const transport = transportOf(i);
  const protectedClass = WEBUSB_PROTECTED_CLASSES.has(i.interfaceClass);

  let maxCommandApdu = 0;
  let reason: string | undefined;
  switch (level) {
    case 'extended-apdu':
      // XfrBlock chaining (wLevelParameter) carries any extended APDU.
      if (maxData < 5) reason = `dwMaxCCIDMessageLength ${maxMessageLength} cannot carry an APDU`;
      else maxCommandApdu = EXTENDED_APDU_MAX;
      break;
    case 'short-apdu':
      if (maxData < 5) reason = `dwMaxCCIDMessageLength ${maxMessageLength} cannot carry an APDU`;
      else maxCommandApdu = Math.min(SHORT_APDU_MAX, maxData);
      break;
    case 'tpdu':
      // T=1 chaining carries any APDU; T=0 TPDU exchange is not implemented.
      if (!t1) reason = 'TPDU level without T=1 (T=0 TPDU exchange is not implemented)';
      else if (maxIFSD < 1) reason = `dwMaxCCIDMessageLength ${maxMessageLength} cannot carry a T=1 block`;
      else maxCommandApdu = EXTENDED_APDU_MAX;
      break;
    case 'character':
      reason = 'character level exchange (the host would have to drive every byte): not supported';
      break;
  }
  if (!reason && transport === 'iccd-a') reason = 'ICCD version A (control transfers) is not implemented';
  if (!reason && transport === 'iccd-b') reason = 'ICCD version B (control transfers) is not implemented';
  if (!reason && transport === 'none') reason = 'no bulk-in/bulk-out endpoint pair';
  if (!reason && i.ccid.maxSlotIndex > 31) reason = `bMaxSlotIndex ${i.ccid.maxSlotIndex} out of range`;
  if (!reason && refused) reason = refused;

  const vendorClassCcid = i.interfaceClass === USB_CLASS_VENDOR_SPECIFIC;
  return {
    interfaceNumber: i.interfaceNumber,
    alternateSetting: i.alternateSetting,
    announcedLevel,
    exchangeLevel: level,
    transport,
    maxMessageLength,
    maxCommandApdu: reason ? 0 : maxCommandApdu,
    maxIFSD,
    t0,
    t1,
    maxSlotIndex: i.ccid.maxSlotIndex,
    protectedClass,
    webUsbClaimable: !protectedClass && (vendorClassCcid || i.interfaceClass === USB_CLASS_SMART_CARD),
    supported: reason === undefined,
    reason,
    responseTimeoutMs,
    quirks,
  };
}

export interface DeviceIds {
  vendorId: number;
  productId: number;
  /** bcdDevice, e.g. 0x0103 for firmware 1.03. */
  bcdDevice: number;
}

export interface CcidInterfaceCandidate {
  iface: UsbInterfaceDescriptor;
  ccid: CcidClassDescriptor;
  classification: InterfaceClassification;
}

/**
 * Every CCID interface of a configuration: class 0x0B, or vendor class 0xFF
 * carrying a 54-byte CCID descriptor (the rule of Chrome OS's Smart Card
 * Connector, chromeos_smart_card_connector PR 843). Supported ones first, in
 * interface order, so callers can take the first.
 */
export function findCcidInterfaces(config: UsbConfigurationDescriptor, ids: DeviceIds): CcidInterfaceCandidate[] {
  const out: CcidInterfaceCandidate[] = [];
  for (const iface of config.interfaces) {
    if (iface.interfaceClass !== USB_CLASS_SMART_CARD && iface.interfaceClass !== USB_CLASS_VENDOR_SPECIFIC) continue;
    const ccid = findCcidClassDescriptor(iface.extra);
    if (!ccid) continue;
    const classification = classifyInterface({ ...ids, ...iface, ccid });
    out.push({ iface, ccid, classification });
  }
  return out.sort((a, b) => Number(b.classification.supported) - Number(a.classification.supported));
}
