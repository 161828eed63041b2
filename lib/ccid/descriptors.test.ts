import { describe, expect, it } from 'vitest';
import { fromHex } from '../bytes/hex';
import { parseCcidClassDescriptor } from './class-descriptor';
import { classifyInterface, findCcidInterfaces } from './classify';
import { exchangeLevel } from './features';
import { quirksFor } from './quirks';
import { parseConfigurationDescriptor } from './usb-descriptors';

/**
 * A hand-assembled CCID class descriptor (CCID Rev 1.1 table 5.1-1):
 * ACR39U-like, TPDU, T=0/T=1, dwMaxIFSD 247, dwMaxCCIDMessageLength 271.
 */
const CLASS_TPDU =
  '36' + '21' + '1001' + '00' + '07' + '03000000' + // bLength type bcdCCID slot voltage protocols
  'A00F0000' + 'A00F0000' + '00' + // default/max clock 4000 kHz, clocks
  '002A0000' + '002A0000' + '00' + // data rates 10752
  'F7000000' + '00000000' + '00000000' + // IFSD 247, synch, mechanical
  'B2000100' + '0F010000' + // features TPDU, max message 271
  'FF' + 'FF' + '0000' + '00' + '01';

const ENDPOINTS = '07058202400000' + '07050102400000' + '0705830308000A';

function config(iface: string, ...rest: string[]): Uint8Array {
  const body = iface + rest.join('');
  const total = 9 + body.length / 2;
  const lo = (total & 0xff).toString(16).padStart(2, '0');
  const hi = (total >> 8).toString(16).padStart(2, '0');
  return fromHex('0902' + lo + hi + '01010080' + '32' + body);
}

const IFACE_0B = '0904000003' + '0B0000' + '00';
const IFACE_FF = '0904010003' + 'FF0000' + '00';
const ids = { vendorId: 0x072f, productId: 0xb100, bcdDevice: 0x0100 };

describe('USB configuration descriptor', () => {
  it('collects interfaces, endpoints and class descriptors', () => {
    const c = parseConfigurationDescriptor(config(IFACE_0B, CLASS_TPDU, ENDPOINTS));
    expect(c.interfaces).toHaveLength(1);
    const i = c.interfaces[0];
    expect(i).toMatchObject({ interfaceNumber: 0, interfaceClass: 0x0b, declaredEndpoints: 3 });
    expect(i.endpoints.map((e) => `${e.type}-${e.direction}-${e.number}`)).toEqual(['bulk-in-2', 'bulk-out-1', 'interrupt-in-3']);
    expect(i.extra).toHaveLength(1);
    expect(parseCcidClassDescriptor(i.extra[0])).toMatchObject({ maxIFSD: 247, maxMessageLength: 271, features: 0x000100b2, protocols: 3 });
  });

  it('finds a CCID descriptor placed after the endpoints (O2Micro OZ776)', () => {
    const c = parseConfigurationDescriptor(config(IFACE_0B, ENDPOINTS, CLASS_TPDU));
    expect(findCcidInterfaces(c, ids)).toHaveLength(1);
  });

  it('takes vendor class 0xFF only with a CCID descriptor, and ranks supported interfaces first', () => {
    const charLevel = CLASS_TPDU.slice(0, 80) + 'B2000000' + CLASS_TPDU.slice(88);
    const c = parseConfigurationDescriptor(
      config(IFACE_0B, charLevel, ENDPOINTS, IFACE_FF, CLASS_TPDU, ENDPOINTS, '0904020002FF000000'),
    );
    const found = findCcidInterfaces(c, ids);
    expect(found.map((f) => f.iface.interfaceNumber)).toEqual([1, 0]);
    expect(found[0].classification).toMatchObject({ supported: true, webUsbClaimable: true, protectedClass: false });
    expect(found[1].classification).toMatchObject({ supported: false, exchangeLevel: 'character' });
  });

  it('refuses lying lengths with DESCRIPTOR_MALFORMED', () => {
    const good = config(IFACE_0B, CLASS_TPDU);
    expect(() => parseConfigurationDescriptor(good.subarray(0, 20))).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_MALFORMED' }));
    const zero = good.slice();
    zero[9] = 0; // interface bLength 0 would loop forever
    expect(() => parseConfigurationDescriptor(zero)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_MALFORMED' }));
    const past = good.slice();
    past[18] = 0xff; // class descriptor claims 255 bytes
    expect(() => parseConfigurationDescriptor(past)).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_MALFORMED' }));
    expect(() => parseConfigurationDescriptor(fromHex('0904000000'))).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_MALFORMED' }));
    expect(() => parseConfigurationDescriptor(config('0705820240000000'))).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_MALFORMED' }));
    expect(() => parseCcidClassDescriptor(fromHex(CLASS_TPDU).subarray(0, 40))).toThrow(expect.objectContaining({ code: 'DESCRIPTOR_MALFORMED' }));
  });
});

describe('classifyInterface', () => {
  const ccid = parseCcidClassDescriptor(fromHex(CLASS_TPDU));
  const base = {
    ...ids,
    interfaceNumber: 0,
    alternateSetting: 0,
    interfaceClass: 0x0b,
    interfaceSubclass: 0,
    interfaceProtocol: 0,
    endpoints: parseConfigurationDescriptor(config(IFACE_0B, ENDPOINTS)).interfaces[0].endpoints,
    ccid,
  };

  it('TPDU with T=1: any APDU via T=1 chaining; IFSD bounded by reader buffers', () => {
    expect(classifyInterface(base)).toMatchObject({
      exchangeLevel: 'tpdu',
      maxCommandApdu: 65544,
      maxIFSD: 247,
      supported: true,
      protectedClass: true,
      webUsbClaimable: false,
    });
    expect(classifyInterface({ ...base, ccid: { ...ccid, maxMessageLength: 100 } }).maxIFSD).toBe(85);
  });

  it('short APDU: 261 bytes or what the message length allows', () => {
    const short = { ...ccid, features: 0x000204ba };
    expect(classifyInterface({ ...base, ccid: short }).maxCommandApdu).toBe(261);
    expect(classifyInterface({ ...base, ccid: { ...short, maxMessageLength: 200 } }).maxCommandApdu).toBe(190);
  });

  it('says why an interface is unusable', () => {
    expect(classifyInterface({ ...base, ccid: { ...ccid, protocols: 1 } }).reason).toMatch(/T=0/);
    expect(classifyInterface({ ...base, interfaceProtocol: 2 }).reason).toMatch(/ICCD version B/);
    expect(classifyInterface({ ...base, endpoints: [] }).reason).toMatch(/bulk/);
    expect(classifyInterface({ ...base, ccid: { ...ccid, features: 0 } }).reason).toMatch(/character level/);
  });

  it('applies quirks from the table, with their evidence', () => {
    const cherry = classifyInterface({ ...base, vendorId: 0x046a, productId: 0x00a7, ccid: { ...ccid, features: 0x000207b8 } });
    expect(cherry.announcedLevel).toBe('short-apdu');
    expect(cherry.exchangeLevel).toBe('extended-apdu');
    expect(cherry.quirks[0].evidence).toMatch(/CCIDdrv/);
    const oldScm = classifyInterface({ ...base, vendorId: 0x04e6, productId: 0xe001, bcdDevice: 0x0500 });
    expect(oldScm).toMatchObject({ supported: false });
    expect(oldScm.reason).toMatch(/firmware/);
    expect(quirksFor(0x04e6, 0xe001, 0x0516, 'tpdu')).toHaveLength(0);
    expect(quirksFor(0x046a, 0x00a1, 0x0100, 'short-apdu').map((q) => q.id)).toEqual(['cherry-kc1000sc-fw100']);
    expect(quirksFor(0x046a, 0x00a1, 0x0100, 'extended-apdu')).toHaveLength(0);
  });

  it('reads the exchange level from dwFeatures bits 16..18', () => {
    expect(exchangeLevel(0x00000030)).toBe('character');
    expect(exchangeLevel(0x00010230)).toBe('tpdu');
    expect(exchangeLevel(0x000207b2)).toBe('short-apdu');
    expect(exchangeLevel(0x000404be)).toBe('extended-apdu');
  });
});
