import type { ExchangeLevel } from './features';

/**
 * Reader differences as data, keyed by USB vendor:product id and, where the
 * evidence says so, firmware (bcdDevice). Every row names its evidence: the
 * LudovicRousseau/CCID driver (CCIDdrv) source or its readers/*.txt dumps
 * (copies in ../shared/interop/ccid-readers/).
 */
export interface ReaderQuirk {
  id: string;
  vendorId: number;
  productId: number;
  name: string;
  /** Applies only when bcdDevice is below this value (firmware fixed since). */
  firmwareBelow?: number;
  /** Applies only to exactly this bcdDevice. */
  firmwareEquals?: number;
  /** Applies only when the descriptor announces this level (the fix is conditional on it). */
  whenLevel?: ExchangeLevel;
  fix: {
    /** The level the firmware really speaks. */
    exchangeLevel?: ExchangeLevel;
    /** Replacement for a missing or wrong dwMaxIFSD. */
    maxIFSD?: number;
    /** Slow reader: per-message timeout in milliseconds. */
    responseTimeoutMs?: number;
    /** Firmware known to corrupt exchanges: refuse with this reason. */
    refuse?: string;
    /** May send zero-length bulk packets (the driver's read loop tolerates them; noted for diagnostics). */
    zeroLengthPackets?: boolean;
  };
  evidence: string;
}

const hex = (v: number) => v.toString(16).toUpperCase().padStart(4, '0');
export const readerKey = (vendorId: number, productId: number) => `${hex(vendorId)}:${hex(productId)}`;

const bogusFirmware = (
  vendorId: number,
  productId: number,
  name: string,
  firmwareBelow: number,
): ReaderQuirk => ({
  id: `bogus-firmware-${readerKey(vendorId, productId)}`,
  vendorId,
  productId,
  name,
  firmwareBelow,
  fix: { refuse: `firmware below ${hex(firmwareBelow)} is known to be faulty; please update the reader firmware` },
  evidence: 'CCIDdrv src/ccid_usb.c Bogus_firmwares[]',
});

const chainingFirmware = (vendorId: number, productId: number, name: string): ReaderQuirk => ({
  id: `chaining-firmware-${readerKey(vendorId, productId)}`,
  vendorId,
  productId,
  name,
  fix: { exchangeLevel: 'extended-apdu' },
  evidence: 'CCIDdrv src/ccid.c ccid_open_hack_post: "Firmware uses chaining" (announces short APDU, chains like extended)',
});

export const READER_QUIRKS: readonly ReaderQuirk[] = [
  chainingFirmware(0x076b, 0x3a21, 'HID OMNIKEY Aviator / Smart@Link'),
  chainingFirmware(0x076b, 0x3031, 'HID OMNIKEY 3x21'),
  chainingFirmware(0x076b, 0x6632, 'HID OMNIKEY 6121'),
  chainingFirmware(0x046a, 0x00a7, 'Cherry Smart Terminal xx44'),
  chainingFirmware(0x0bf8, 0x1024, 'Fujitsu Smartcard Reader D323'),
  {
    id: 'cherry-kc1000sc-fw100',
    vendorId: 0x046a,
    productId: 0x00a1,
    name: 'Cherry KC 1000 SC',
    firmwareEquals: 0x0100,
    whenLevel: 'short-apdu',
    fix: { exchangeLevel: 'extended-apdu' },
    evidence: 'CCIDdrv src/ccid.c ccid_open_hack_post CHERRY_KC1000SC: firmware 1.00 returns at most 128 bytes and chains',
  },
  {
    id: 'mysmartpad-ifsd',
    vendorId: 0x09be,
    productId: 0x0002,
    name: 'MySmartPad',
    fix: { maxIFSD: 254 },
    evidence: 'CCIDdrv src/ccid.c ccid_open_hack_pre MYSMARTPAD; readers/MySmartPad.txt dwMaxIFSD: 0',
  },
  {
    id: 'scm-scl011-slow',
    vendorId: 0x04e6,
    productId: 0x5293,
    name: 'SCM SCL011',
    fix: { responseTimeoutMs: 12_000 },
    evidence: 'CCIDdrv src/ccid.c ccid_open_hack_pre SCM_SCL011: "needs 350 ms to answer" (read timeout x4)',
  },
  ...[
    [0x08e6, 0x3437, 'Gemalto GemPC Twin'],
    [0x08e6, 0x3438, 'Gemalto GemPC Key'],
    [0x413c, 0x2101, 'Dell smart card reader keyboard'],
  ].map(
    ([vendorId, productId, name]): ReaderQuirk => ({
      id: `zlp-${readerKey(vendorId as number, productId as number)}`,
      vendorId: vendorId as number,
      productId: productId as number,
      name: name as string,
      firmwareEquals: 0x0200,
      fix: { zeroLengthPackets: true },
      evidence: 'CCIDdrv src/ccid.c ccid_open_hack_pre (ENABLE_ZLP): firmware 2.00 sends 0-byte packets on USB 3 ports',
    }),
  ),
  bogusFirmware(0x04e6, 0xe001, 'SCM SCR 331', 0x0516),
  bogusFirmware(0x04e6, 0x5111, 'SCM SCR 331-DI', 0x0620),
  bogusFirmware(0x04e6, 0x5115, 'SCM SCR 335', 0x0514),
  bogusFirmware(0x04e6, 0xe003, 'SCM SPR 532', 0x0510),
  bogusFirmware(0x0d46, 0x3001, 'KOBIL KAAN Base', 0x0037),
  bogusFirmware(0x0d46, 0x3002, 'KOBIL KAAN Advanced', 0x0037),
  bogusFirmware(0x09c3, 0x0008, 'ActivCard V2', 0x0203),
  bogusFirmware(0x0dc3, 0x1004, 'Athena ASE IIIe USBv2', 0x0502),
  bogusFirmware(0x0dc3, 0x1102, 'Athena ASE IIIe KB USB', 0x0607),
  bogusFirmware(0x058f, 0x9520, 'Alcor AU9520-G', 0x0102),
  bogusFirmware(0x072f, 0x2200, 'ACS ACR122U-WB-R', 0x0206),
  bogusFirmware(0x076b, 0x3a21, 'HID Smart@Link', 0x0103),
];

/**
 * Vendor-class (0xFF) CCID readers, which WebUSB may claim: offered in the
 * device chooser next to class 0x0B. Evidence: bInterfaceClass 0xFF with a CCID
 * descriptor in the named readers/*.txt dump.
 */
export const VENDOR_CLASS_READERS: readonly { vendorId: number; productId: number; name: string; evidence: string }[] = [
  { vendorId: 0x0c4b, productId: 0x0300, name: 'REINER SCT cyberJack pinpad(a)', evidence: 'readers/ReinerSCT.txt' },
  { vendorId: 0x0c4b, productId: 0x0500, name: 'REINER SCT cyberJack RFID standard', evidence: 'readers/ReinerSCT_cyberJack_RFID_standard.txt' },
  { vendorId: 0x046a, productId: 0x003e, name: 'Cherry SmartTerminal ST-2xxx', evidence: 'egk-and-readers.md §4.1 (CCIDdrv readers)' },
  { vendorId: 0x04e6, productId: 0xe003, name: 'SCM SPR 532', evidence: 'readers/SPR532.txt' },
  { vendorId: 0x04e6, productId: 0x5111, name: 'SCM SCR 331-DI', evidence: 'readers/SCR331-DI.txt' },
  { vendorId: 0x04e6, productId: 0x512b, name: 'SCM SDI011', evidence: 'readers/SCM_SDI011.txt' },
  { vendorId: 0x04e6, productId: 0x512c, name: 'SCM SDI011 (512C)', evidence: 'readers/SCM_SDI011_512C.txt' },
  { vendorId: 0x413c, productId: 0x2100, name: 'Dell SK-3106 keyboard', evidence: 'readers/DellSK-3106.txt' },
  { vendorId: 0x08e6, productId: 0x2202, name: 'Gemalto e-Seal Pro', evidence: 'readers/Gem_e-SealPro.txt' },
];

/** Quirks that apply to one device, in table order. */
export function quirksFor(
  vendorId: number,
  productId: number,
  bcdDevice: number,
  announcedLevel: ExchangeLevel,
): ReaderQuirk[] {
  return READER_QUIRKS.filter(
    (q) =>
      q.vendorId === vendorId &&
      q.productId === productId &&
      (q.firmwareBelow === undefined || bcdDevice < q.firmwareBelow) &&
      (q.firmwareEquals === undefined || bcdDevice === q.firmwareEquals) &&
      (q.whenLevel === undefined || q.whenLevel === announcedLevel),
  );
}
