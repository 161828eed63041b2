/**
 * Every interface of every real reader in ../shared/interop/ccid-readers/
 * (LudovicRousseau/CCID readers/*.txt dumps): the 54-byte class descriptor and
 * a configuration descriptor are rebuilt from the dump's printed values, run
 * through the parser and classifier, and compared with what the dump itself
 * says (exchange level line, dwMaxCCIDMessageLength, interface class).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { interopAvailable, interopDir } from '../../server/testing/interop';
import { EXTENDED_APDU_MAX, SHORT_APDU_MAX, findCcidInterfaces } from './classify';
import { parseConfigurationDescriptor } from './usb-descriptors';

const ccidDir = path.resolve(interopDir, '..', 'ccid-readers');

function ccidReadersAvailable(): boolean {
  if (!interopAvailable()) return false;
  const present = existsSync(path.join(ccidDir, 'README.md'));
  if (!present && process.env.CI === 'true') throw new Error(`CCID reader dumps missing at ${ccidDir} (CI=true)`);
  if (!present) console.warn(`[interop] skipped: CCID reader dumps not found at ${ccidDir}`);
  return present;
}

interface DumpInterface {
  file: string;
  text: string;
  field(name: string): string;
  /** A field of the CCID class descriptor section (bLength and bDescriptorType also name interface fields). */
  ccid(name: string): string;
}

function blocks(file: string): DumpInterface[] {
  const text = readFileSync(path.join(ccidDir, file), 'latin1').replace(/\r/g, '');
  return text
    .split(/^(?= idVendor:)/m)
    .filter((b) => b.trim())
    .map((b) => ({
      file,
      text: b,
      field(name: string) {
        const m = new RegExp(`^\\s*${name}:\\s*(.*)$`, 'm').exec(b);
        if (!m) throw new Error(`${file}: no ${name}`);
        return m[1].trim();
      },
      ccid(name: string) {
        const section = b.slice(b.indexOf('CCID Class Descriptor'));
        const m = new RegExp(`^\\s*${name}:\\s*(.*)$`, 'm').exec(section);
        if (!m) throw new Error(`${file}: no CCID ${name}`);
        return m[1].trim();
      },
    }));
}

const hex = (s: string) => parseInt(s.split(/\s/)[0], 16);
const dec = (s: string) => parseInt(s, 10);
/** "1.10" -> 0x0110 (the dump prints BCD as %X.%02X). */
const bcd = (s: string) => {
  const [a, b] = s.split(/\s/)[0].split('.');
  return (parseInt(a, 16) << 8) | parseInt(b, 16);
};
/** "4.000 MHz" -> 4000 kHz */
const khz = (s: string) => Math.round(parseFloat(s) * 1000);

const le32 = (v: number) => [v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff];
const le16 = (v: number) => [v & 0xff, (v >>> 8) & 0xff];

/** The CCID class descriptor, laid out by hand from CCID Rev 1.1 table 5.1-1. */
function classDescriptorFromDump(d: DumpInterface): number[] {
  const [hi, lo] = d.field('dwProtocols').split(/\s+/).map((x) => parseInt(x, 16));
  return [
    hex(d.ccid('bLength')),
    hex(d.ccid('bDescriptorType')),
    ...le16(bcd(d.field('bcdCCID'))),
    hex(d.field('bMaxSlotIndex')),
    hex(d.field('bVoltageSupport')),
    ...le32(((hi << 16) | lo) >>> 0),
    ...le32(khz(d.field('dwDefaultClock'))),
    ...le32(khz(d.field('dwMaximumClock'))),
    dec(d.field('bNumClockSupported')),
    ...le32(dec(d.field('dwDataRate'))),
    ...le32(dec(d.field('dwMaxDataRate'))),
    dec(d.field('bNumDataRatesSupported')),
    ...le32(dec(d.field('dwMaxIFSD'))),
    ...le32(hex(d.field('dwSynchProtocols'))),
    ...le32(hex(d.field('dwMechanical'))),
    ...le32(hex(d.field('dwFeatures'))),
    ...le32(dec(d.field('dwMaxCCIDMessageLength'))),
    hex(d.field('bClassGetResponse')),
    hex(d.field('bClassEnvelope')),
    ...le16(hex(d.field('wLcdLayout'))),
    hex(d.field('bPINSupport')),
    dec(d.field('bMaxCCIDBusySlots')),
  ];
}

/** Endpoint descriptors as the dump's summary line describes them. */
function endpointsFromDump(d: DumpInterface): number[] {
  const line = /bNumEndpoints:.*\n\s+(.*)/.exec(d.text)?.[1] ?? '';
  const ep = (address: number, type: number, size: number) => [7, 5, address, type, ...le16(size), 0];
  const out: number[] = [];
  if (/bulk-IN/.test(line)) out.push(...ep(0x82, 2, 64));
  if (/bulk-OUT/.test(line)) out.push(...ep(0x01, 2, 64));
  if (/Interrupt-IN/.test(line)) out.push(...ep(0x83, 3, 8));
  return out;
}

function configurationFromDump(d: DumpInterface): Uint8Array {
  const cls = classDescriptorFromDump(d);
  const eps = endpointsFromDump(d);
  const iface = [
    9,
    4,
    dec(d.field('bInterfaceNumber')),
    dec(d.field('bAlternateSetting')),
    eps.length / 7,
    hex(d.field('bInterfaceClass')),
    dec(d.field('bInterfaceSubClass')),
    dec(d.field('bInterfaceProtocol')),
    0,
  ];
  const total = 9 + iface.length + cls.length + eps.length;
  return new Uint8Array([9, 2, ...le16(total), 1, 1, 0, 0x80, 50, ...iface, ...cls, ...eps]);
}

type Level = 'character' | 'tpdu' | 'short-apdu' | 'extended-apdu';
function levelFromText(d: DumpInterface): Level {
  if (/Short and Extended APDU level exchange/.test(d.text)) return 'extended-apdu';
  if (/Short APDU level exchange/.test(d.text)) return 'short-apdu';
  if (/TPDU level exchange/.test(d.text)) return 'tpdu';
  if (/Character level exchange/.test(d.text)) return 'character';
  throw new Error(`${d.file}: no exchange level line`);
}

describe.runIf(ccidReadersAvailable())('CCID descriptor dumps of real readers', () => {
  const files = readdirSync(ccidDir).filter((f) => f.endsWith('.txt') && f !== 'supported_readers.txt');
  const all = files.flatMap(blocks);

  it('finds the whole collection', () => {
    expect(files.length).toBeGreaterThan(500);
    expect(all.length).toBeGreaterThanOrEqual(files.length);
  });

  it('classifies each interface as the dump describes it', () => {
    const counts: Record<string, number> = {};
    for (const d of all) {
      const ids = {
        vendorId: hex(d.field('idVendor')),
        productId: hex(d.field('idProduct')),
        bcdDevice: bcd(d.field('bcdDevice')),
      };
      const config = parseConfigurationDescriptor(configurationFromDump(d));
      const found = findCcidInterfaces(config, ids);
      const where = `${d.file} interface ${d.field('bInterfaceNumber')}`;
      expect(found, where).toHaveLength(1);
      const c = found[0].classification;
      const announced = levelFromText(d);
      expect(c.announcedLevel, where).toBe(announced);
      const forced = c.quirks.find((q) => q.fix.exchangeLevel)?.fix.exchangeLevel;
      expect(c.exchangeLevel, where).toBe(forced ?? announced);
      expect(c.maxMessageLength, where).toBe(dec(d.field('dwMaxCCIDMessageLength')));

      const vendorClass = /bInterfaceClass: 0xFF/.test(d.text);
      expect(c.protectedClass, where).toBe(!vendorClass);
      expect(c.webUsbClaimable, where).toBe(vendorClass);

      const proto = dec(d.field('bInterfaceProtocol'));
      const bulk = /bulk-IN/.test(d.text) && /bulk-OUT/.test(d.text);
      const t1 = /^\s+T=1$/m.test(d.text);
      const refused = c.quirks.some((q) => q.fix.refuse);
      const expectSupported =
        c.exchangeLevel !== 'character' && bulk && !(proto === 1 || proto === 2) && (c.exchangeLevel !== 'tpdu' || t1) && !refused;
      expect(c.supported, where).toBe(expectSupported);
      if (!c.supported) expect(c.reason, where).toBeTruthy();
      if (c.exchangeLevel === 'character') expect(c.reason, where).toMatch(/character level/);

      if (c.supported) {
        const maxData = c.maxMessageLength - 10;
        const expectedMax = c.exchangeLevel === 'short-apdu' ? Math.min(SHORT_APDU_MAX, maxData) : EXTENDED_APDU_MAX;
        expect(c.maxCommandApdu, where).toBe(expectedMax);
        if (c.exchangeLevel === 'tpdu') expect(c.maxIFSD, where).toBeGreaterThan(0);
      } else {
        expect(c.maxCommandApdu, where).toBe(0);
      }
      const key = `${c.exchangeLevel}${c.supported ? '' : ' (unsupported)'}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    // The text lines of the dumps themselves: 4 character, 239 TPDU, 164 short, 251 extended, 1 old-format TPDU.
    const announced = all.map(levelFromText);
    expect(announced.filter((l) => l === 'character')).toHaveLength(4);
    expect(announced.filter((l) => l === 'tpdu')).toHaveLength(240);
    console.info('[ccid-readers] interfaces by level:', counts);
  });

  it('matches the readers named in egk-and-readers.md §4.1', () => {
    const pick = (file: string) => {
      const d = blocks(file)[0];
      const ids = { vendorId: hex(d.field('idVendor')), productId: hex(d.field('idProduct')), bcdDevice: bcd(d.field('bcdDevice')) };
      return findCcidInterfaces(parseConfigurationDescriptor(configurationFromDump(d)), ids)[0].classification;
    };
    expect(pick('Cherry_SmartTerminal_1144.txt')).toMatchObject({ exchangeLevel: 'extended-apdu', maxMessageLength: 271, webUsbClaimable: false });
    expect(pick('ReinerSCT_cyberJack_RFID_basis.txt')).toMatchObject({ exchangeLevel: 'extended-apdu', maxMessageLength: 266 });
    expect(pick('ACS_ACR39U_ICC_Reader.txt')).toMatchObject({ exchangeLevel: 'tpdu', maxMessageLength: 271, maxIFSD: 247 });
    expect(pick('ReinerSCT.txt')).toMatchObject({ exchangeLevel: 'tpdu', maxMessageLength: 270, webUsbClaimable: true, supported: true });
    // Cherry XX44 announces short APDU but chains: the quirks table says so.
    const xx44 = pick('Cherry_SmartTerminal_XX44.txt');
    expect(xx44.announcedLevel).toBe('short-apdu');
    expect(xx44.exchangeLevel).toBe('extended-apdu');
    expect(xx44.quirks.map((q) => q.id)).toContain('chaining-firmware-046A:00A7');
    // SCM's 263-byte firmware still fits T=1 blocks, with a smaller IFSD.
    expect(pick('SCR331-DI.txt')).toMatchObject({ exchangeLevel: 'tpdu', maxMessageLength: 263, maxIFSD: 248 });
  });
});
