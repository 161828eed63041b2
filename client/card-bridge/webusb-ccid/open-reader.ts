import { USB_CLASS_SMART_CARD, findCcidInterfaces, type CcidInterfaceCandidate, type InterfaceClassification } from '../../../lib/ccid/classify';
import type { CcidClassDescriptor } from '../../../lib/ccid/class-descriptor';
import { ReaderError } from '../../../lib/ccid/errors';
import { readU16le } from '../../../lib/ccid/little-endian';
import { USB_DESCRIPTOR_CONFIGURATION, parseConfigurationDescriptor } from '../../../lib/ccid/usb-descriptors';
import { isProtectedClassRefusal, usbError } from './usb-errors';
import { bcdDevice, dataViewBytes, type UsbDeviceLike } from './usb-types';

/** A claimed CCID interface, ready for messages. */
export interface OpenedReader {
  device: UsbDeviceLike;
  interfaceNumber: number;
  classification: InterfaceClassification;
  ccid: CcidClassDescriptor;
  bulkIn: { number: number; packetSize: number };
  bulkOut: { number: number; packetSize: number };
  interruptIn?: { number: number; packetSize: number };
  name: string;
}

const GET_DESCRIPTOR = 0x06;
const CONFIG_HEADER_LENGTH = 9;

/**
 * WebUSB shows interfaces and endpoints but not class-specific descriptors,
 * so the configuration descriptor is read raw: first its 9-byte header for
 * wTotalLength, then all of it (USB 2.0 §9.4.3).
 */
export async function readConfigurationDescriptor(device: UsbDeviceLike, index = 0): Promise<Uint8Array> {
  const setup = {
    requestType: 'standard' as const,
    recipient: 'device' as const,
    request: GET_DESCRIPTOR,
    value: (USB_DESCRIPTOR_CONFIGURATION << 8) | index,
    index: 0,
  };
  const read = async (length: number) => {
    let r;
    try {
      r = await device.controlTransferIn(setup, length);
    } catch (e) {
      throw usbError(e, 'control');
    }
    if (r.status !== 'ok') throw new ReaderError('DESCRIPTOR_MALFORMED', 'GET_DESCRIPTOR failed', { details: { status: r.status } });
    return dataViewBytes(r.data);
  };
  const head = await read(CONFIG_HEADER_LENGTH);
  if (head.length < 4) throw new ReaderError('DESCRIPTOR_MALFORMED', 'configuration descriptor header too short', { details: { length: head.length } });
  return read(readU16le(head, 2));
}

export function readerName(device: UsbDeviceLike): string {
  const name = [device.manufacturerName, device.productName].filter(Boolean).join(' ').trim();
  const id = `${device.vendorId.toString(16).padStart(4, '0')}:${device.productId.toString(16).padStart(4, '0')}`;
  return name ? `${name} (${id})` : `USB ${id}`;
}

/** Which CCID interfaces a device offers, without claiming anything. Opens the device if needed. */
export async function describeCcidDevice(device: UsbDeviceLike): Promise<CcidInterfaceCandidate[]> {
  if (!device.opened) {
    try {
      await device.open();
    } catch (e) {
      throw usbError(e, 'open');
    }
  }
  if (!device.configuration) {
    const first = device.configurations[0];
    if (!first) throw new ReaderError('NOT_A_CCID_READER', 'the device has no configuration');
    try {
      await device.selectConfiguration(first.configurationValue);
    } catch (e) {
      throw usbError(e, 'open');
    }
  }
  const active = device.configuration?.configurationValue;
  const index = Math.max(0, device.configurations.findIndex((c) => c.configurationValue === active));
  let raw: Uint8Array;
  try {
    raw = await readConfigurationDescriptor(device, index);
  } catch (e) {
    // Should the browser refuse even the descriptor read of a smart-card-class device, say so as such.
    const smartCardClass = device.configuration?.interfaces.some((i) => i.alternates.some((a) => a.interfaceClass === USB_CLASS_SMART_CARD));
    if (smartCardClass && isProtectedClassRefusal((e as { cause?: unknown }).cause ?? e)) throw usbError((e as { cause?: unknown }).cause ?? e, 'claim');
    throw e;
  }
  const config = parseConfigurationDescriptor(raw);
  return findCcidInterfaces(config, { vendorId: device.vendorId, productId: device.productId, bcdDevice: bcdDevice(device) });
}

/**
 * Opens the device, picks the first usable CCID interface and claims it. A
 * smart-card-class interface in an ordinary web page ends in
 * USB_PROTECTED_CLASS, which the UI explains and answers by offering the bridge.
 */
export async function openCcidReader(device: UsbDeviceLike): Promise<OpenedReader> {
  const candidates = await describeCcidDevice(device);
  if (candidates.length === 0) throw new ReaderError('NOT_A_CCID_READER', 'no CCID interface on this device');
  const usable = candidates.find((c) => c.classification.supported);
  if (!usable) {
    const c = candidates[0].classification;
    throw new ReaderError('READER_UNSUPPORTED', `reader not supported: ${c.reason}`, {
      details: { reason: c.reason, exchangeLevel: c.exchangeLevel },
    });
  }
  const { iface, classification, ccid } = usable;
  try {
    await device.claimInterface(iface.interfaceNumber);
  } catch (e) {
    throw usbError(e, 'claim');
  }
  if (iface.alternateSetting !== 0) {
    try {
      await device.selectAlternateInterface(iface.interfaceNumber, iface.alternateSetting);
    } catch (e) {
      throw usbError(e, 'claim');
    }
  }
  const ep = (type: 'bulk' | 'interrupt', direction: 'in' | 'out') => {
    const e = iface.endpoints.find((x) => x.type === type && x.direction === direction);
    return e ? { number: e.number, packetSize: e.maxPacketSize || 64 } : undefined;
  };
  const bulkIn = ep('bulk', 'in');
  const bulkOut = ep('bulk', 'out');
  if (!bulkIn || !bulkOut) throw new ReaderError('READER_UNSUPPORTED', 'no bulk endpoints');
  return {
    device,
    interfaceNumber: iface.interfaceNumber,
    classification,
    ccid,
    bulkIn,
    bulkOut,
    interruptIn: ep('interrupt', 'in'),
    name: readerName(device),
  };
}
