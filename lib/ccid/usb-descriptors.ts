import { ReaderError } from './errors';
import { readU16le } from './little-endian';

/**
 * USB 2.0 §9.6 configuration descriptor set, as returned by GET_DESCRIPTOR
 * (CONFIGURATION). WebUSB exposes interfaces and endpoints as objects but not
 * class-specific descriptors, so the WebUSB driver fetches these raw bytes to
 * find the CCID class descriptor.
 */
export const USB_DESCRIPTOR_CONFIGURATION = 0x02;
export const USB_DESCRIPTOR_INTERFACE = 0x04;
export const USB_DESCRIPTOR_ENDPOINT = 0x05;

const CONFIG_LENGTH = 9;
const CONFIG_OFFSET_TOTAL_LENGTH = 2;
const CONFIG_OFFSET_NUM_INTERFACES = 4;
const CONFIG_OFFSET_VALUE = 5;

const INTERFACE_LENGTH = 9;
const INTERFACE_OFFSET_NUMBER = 2;
const INTERFACE_OFFSET_ALTERNATE = 3;
const INTERFACE_OFFSET_NUM_ENDPOINTS = 4;
const INTERFACE_OFFSET_CLASS = 5;
const INTERFACE_OFFSET_SUBCLASS = 6;
const INTERFACE_OFFSET_PROTOCOL = 7;

const ENDPOINT_LENGTH = 7;
const ENDPOINT_OFFSET_ADDRESS = 2;
const ENDPOINT_OFFSET_ATTRIBUTES = 3;
const ENDPOINT_OFFSET_MAX_PACKET = 4;

export type UsbEndpointType = 'control' | 'isochronous' | 'bulk' | 'interrupt';

export interface UsbEndpointDescriptor {
  /** bEndpointAddress, direction bit included. */
  address: number;
  /** Endpoint number without the direction bit, as WebUSB's transferIn/Out take it. */
  number: number;
  direction: 'in' | 'out';
  type: UsbEndpointType;
  maxPacketSize: number;
}

export interface UsbInterfaceDescriptor {
  interfaceNumber: number;
  alternateSetting: number;
  /** bNumEndpoints as declared (the parsed list may differ on broken devices). */
  declaredEndpoints: number;
  interfaceClass: number;
  interfaceSubclass: number;
  interfaceProtocol: number;
  endpoints: UsbEndpointDescriptor[];
  /**
   * Every other descriptor up to the next interface, in order. Kept whether it
   * comes before or after the endpoints: the O2Micro OZ776 puts its CCID class
   * descriptor behind the last endpoint (CCIDdrv src/ccid.h, O2MICRO_OZ776_PATCH).
   */
  extra: Uint8Array[];
}

export interface UsbConfigurationDescriptor {
  configurationValue: number;
  totalLength: number;
  declaredInterfaces: number;
  interfaces: UsbInterfaceDescriptor[];
}

function malformed(message: string, details: Record<string, unknown>): never {
  throw new ReaderError('DESCRIPTOR_MALFORMED', message, { details });
}

const ENDPOINT_TYPES: UsbEndpointType[] = ['control', 'isochronous', 'bulk', 'interrupt'];

export function parseEndpointDescriptor(d: Uint8Array): UsbEndpointDescriptor {
  if (d.length < ENDPOINT_LENGTH) malformed('endpoint descriptor too short', { length: d.length });
  const address = d[ENDPOINT_OFFSET_ADDRESS];
  return {
    address,
    number: address & 0x0f,
    direction: address & 0x80 ? 'in' : 'out',
    type: ENDPOINT_TYPES[d[ENDPOINT_OFFSET_ATTRIBUTES] & 0x03],
    maxPacketSize: readU16le(d, ENDPOINT_OFFSET_MAX_PACKET) & 0x7ff,
  };
}

/**
 * Walks the descriptor chain. Every length is checked against the buffer, so a
 * truncated or lying device gives DESCRIPTOR_MALFORMED, never an out-of-range read.
 */
export function parseConfigurationDescriptor(bytes: Uint8Array): UsbConfigurationDescriptor {
  if (bytes.length < CONFIG_LENGTH || bytes[1] !== USB_DESCRIPTOR_CONFIGURATION || bytes[0] < CONFIG_LENGTH) {
    malformed('not a configuration descriptor', { length: bytes.length, type: bytes[1] });
  }
  const totalLength = readU16le(bytes, CONFIG_OFFSET_TOTAL_LENGTH);
  // Devices are asked for wTotalLength bytes; a shorter answer means a truncated read.
  if (totalLength > bytes.length) malformed('configuration descriptor truncated', { totalLength, length: bytes.length });
  const end = totalLength;
  const config: UsbConfigurationDescriptor = {
    configurationValue: bytes[CONFIG_OFFSET_VALUE],
    totalLength,
    declaredInterfaces: bytes[CONFIG_OFFSET_NUM_INTERFACES],
    interfaces: [],
  };
  let current: UsbInterfaceDescriptor | undefined;
  let offset = bytes[0];
  while (offset < end) {
    const len = bytes[offset];
    if (len < 2) malformed('descriptor with bLength < 2', { offset, len });
    if (offset + len > end) malformed('descriptor runs past wTotalLength', { offset, len, end });
    const d = bytes.slice(offset, offset + len);
    const type = d[1];
    if (type === USB_DESCRIPTOR_INTERFACE) {
      if (len < INTERFACE_LENGTH) malformed('interface descriptor too short', { offset, len });
      current = {
        interfaceNumber: d[INTERFACE_OFFSET_NUMBER],
        alternateSetting: d[INTERFACE_OFFSET_ALTERNATE],
        declaredEndpoints: d[INTERFACE_OFFSET_NUM_ENDPOINTS],
        interfaceClass: d[INTERFACE_OFFSET_CLASS],
        interfaceSubclass: d[INTERFACE_OFFSET_SUBCLASS],
        interfaceProtocol: d[INTERFACE_OFFSET_PROTOCOL],
        endpoints: [],
        extra: [],
      };
      config.interfaces.push(current);
    } else if (type === USB_DESCRIPTOR_ENDPOINT) {
      if (!current) malformed('endpoint descriptor before any interface', { offset });
      current.endpoints.push(parseEndpointDescriptor(d));
    } else if (current) {
      current.extra.push(d);
    }
    // Descriptors before the first interface (IADs, OTG, vendor blobs) carry nothing we use.
    offset += len;
  }
  return config;
}
