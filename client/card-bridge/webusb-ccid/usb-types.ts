/**
 * The slice of the WebUSB API (https://wicg.github.io/webusb/) the CCID driver
 * uses, typed structurally: TypeScript's DOM library has no WebUSB types, and
 * structural types let tests and the fake reader stand in for a real device.
 */
export type UsbDirection = 'in' | 'out';

export interface UsbEndpointLike {
  endpointNumber: number;
  direction: UsbDirection;
  type: 'bulk' | 'interrupt' | 'isochronous';
  packetSize: number;
}

export interface UsbAlternateInterfaceLike {
  alternateSetting: number;
  interfaceClass: number;
  interfaceSubclass: number;
  interfaceProtocol: number;
  endpoints: UsbEndpointLike[];
}

export interface UsbInterfaceLike {
  interfaceNumber: number;
  alternate: UsbAlternateInterfaceLike;
  alternates: UsbAlternateInterfaceLike[];
  claimed: boolean;
}

export interface UsbConfigurationLike {
  configurationValue: number;
  interfaces: UsbInterfaceLike[];
}

export interface UsbControlTransferParametersLike {
  requestType: 'standard' | 'class' | 'vendor';
  recipient: 'device' | 'interface' | 'endpoint' | 'other';
  request: number;
  value: number;
  index: number;
}

export interface UsbInTransferResultLike {
  data?: DataView;
  status: 'ok' | 'stall' | 'babble';
}

export interface UsbOutTransferResultLike {
  bytesWritten: number;
  status: 'ok' | 'stall';
}

export interface UsbDeviceLike {
  readonly vendorId: number;
  readonly productId: number;
  readonly deviceVersionMajor: number;
  readonly deviceVersionMinor: number;
  readonly deviceVersionSubminor: number;
  readonly manufacturerName?: string;
  readonly productName?: string;
  readonly serialNumber?: string;
  readonly opened: boolean;
  readonly configuration: UsbConfigurationLike | null;
  readonly configurations: UsbConfigurationLike[];
  open(): Promise<void>;
  close(): Promise<void>;
  selectConfiguration(configurationValue: number): Promise<void>;
  claimInterface(interfaceNumber: number): Promise<void>;
  releaseInterface(interfaceNumber: number): Promise<void>;
  selectAlternateInterface(interfaceNumber: number, alternateSetting: number): Promise<void>;
  controlTransferIn(setup: UsbControlTransferParametersLike, length: number): Promise<UsbInTransferResultLike>;
  controlTransferOut(setup: UsbControlTransferParametersLike, data?: Uint8Array): Promise<UsbOutTransferResultLike>;
  transferIn(endpointNumber: number, length: number): Promise<UsbInTransferResultLike>;
  transferOut(endpointNumber: number, data: Uint8Array): Promise<UsbOutTransferResultLike>;
  clearHalt(direction: UsbDirection, endpointNumber: number): Promise<void>;
}

export interface UsbDeviceFilterLike {
  vendorId?: number;
  productId?: number;
  classCode?: number;
  subclassCode?: number;
  protocolCode?: number;
}

export interface UsbConnectionEventLike {
  device: UsbDeviceLike;
}

export interface UsbLike {
  getDevices(): Promise<UsbDeviceLike[]>;
  requestDevice(options: { filters: UsbDeviceFilterLike[] }): Promise<UsbDeviceLike>;
  addEventListener(type: 'connect' | 'disconnect', listener: (event: UsbConnectionEventLike) => void): void;
  removeEventListener(type: 'connect' | 'disconnect', listener: (event: UsbConnectionEventLike) => void): void;
}

/** navigator.usb where the browser has it (Chromium, secure contexts). */
export function browserUsb(): UsbLike | undefined {
  const nav = (globalThis as { navigator?: { usb?: UsbLike } }).navigator;
  return nav?.usb;
}

/** bcdDevice as the descriptor carries it, from WebUSB's split version fields. */
export function bcdDevice(d: UsbDeviceLike): number {
  return (d.deviceVersionMajor << 8) | ((d.deviceVersionMinor & 0x0f) << 4) | (d.deviceVersionSubminor & 0x0f);
}

export function dataViewBytes(v: DataView | undefined): Uint8Array {
  return v ? new Uint8Array(v.buffer, v.byteOffset, v.byteLength).slice() : new Uint8Array(0);
}
