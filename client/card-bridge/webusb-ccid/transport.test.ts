/**
 * The WebUSB CCID driver against the fake reader from e2e/fixtures/fake-usb,
 * whose CCID and T=1 sides were written separately from lib/ccid. The card
 * behind it is a small scripted APDU card (unit tests do not depend on the
 * software eGK).
 */
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { createFakeUsb, fakeUsbClasses, fakeUsbInitScript, type FakeUsbOptions } from '../../../e2e/fixtures/fake-usb';
import { fromHex, toHex } from '../../../lib/bytes/hex';
import type { CardPresence } from '../../../lib/card-transport/types';
import { WebUsbCcidTransport } from './transport';
import type { UsbDeviceLike, UsbLike } from './usb-types';

/** SELECT answers 9000; 80 EE echoes its data; 00 B0 returns Ne bytes of a counter pattern. */
const testCard = {
  seen: [] as string[],
  transmit(apdu: Uint8Array): Uint8Array {
    this.seen.push(toHex(apdu));
    if (apdu[1] === 0xa4) return fromHex('9000');
    if (apdu[0] === 0x80 && apdu[1] === 0xee) {
      const extended = apdu[4] === 0;
      const nc = extended ? (apdu[5] << 8) | apdu[6] : apdu[4];
      const off = extended ? 7 : 5;
      return new Uint8Array([...apdu.subarray(off, off + nc), 0x90, 0x00]);
    }
    if (apdu[1] === 0xb0) {
      const ne = apdu.length === 7 ? ((apdu[5] << 8) | apdu[6]) || 65536 : apdu[4] || 256;
      const n = apdu[0] === 0x00 && apdu[2] === 0xff ? ne + 10 : ne; // P1 FF: a card that overruns Ne
      return new Uint8Array([...Array.from({ length: n }, (_, i) => i & 0xff), 0x90, 0x00]);
    }
    return fromHex('6D00');
  },
};

function setup(options: FakeUsbOptions, transportOptions: ConstructorParameters<typeof WebUsbCcidTransport>[1] = {}) {
  const fake = createFakeUsb(fakeUsbClasses, options, testCard);
  const transport = new WebUsbCcidTransport(fake.device as unknown as UsbDeviceLike, {
    usb: fake.usb as unknown as UsbLike,
    responseTimeoutMs: 500,
    ...transportOptions,
  });
  const presence: CardPresence[] = [];
  transport.onPresence((p) => presence.push(p));
  return { fake, transport, presence };
}

const EGK_ATR = '3BD396FF81B1FE451F078081052D';
const tick = () => new Promise((r) => setTimeout(r, 10));

function echoExtended(n: number): Uint8Array {
  const data = Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
  return new Uint8Array([0x80, 0xee, 0, 0, 0, n >> 8, n & 0xff, ...data, 0, 0]);
}

describe.each(['apdu', 'tpdu'] as const)('WebUsbCcidTransport, %s-level reader', (reader) => {
  it('connects, selects, and carries long commands and responses', async () => {
    const { transport, fake } = setup({ reader });
    expect(toHex(await transport.connect())).toBe(EGK_ATR);
    expect(transport.info).toMatchObject({ kind: 'webusb-ccid', maxApduLength: 65544 });
    expect(transport.classification?.exchangeLevel).toBe(reader === 'tpdu' ? 'tpdu' : 'extended-apdu');
    expect(toHex(await transport.transmit(fromHex('00A4040C')))).toBe('9000');
    const read = await transport.transmit(fromHex('00B0840000' + '03E8'));
    expect(read.length).toBe(1002);
    expect(read[999]).toBe(999 & 0xff);
    const echo = await transport.transmit(echoExtended(700));
    expect(echo.length).toBe(702);
    expect(echo[699]).toBe((699 * 7) & 0xff);
    if (reader === 'tpdu') {
      // SetParameters from the eGK ATR without reader PPS: Fd/Dd, LRC, TC1 FF, TB3 45, IFSC FE
      expect(toHex(fake.reader.parameters!)).toBe('1110FF4500FE00');
      expect(fake.t1Card!.ifsd).toBe(254);
    }
    await transport.close();
  });

  it('ends cleanly when the card is pulled, and works again with the next card', async () => {
    const { transport, fake, presence } = setup({ reader });
    await transport.connect();
    fake.device.setCard(false);
    await tick();
    expect(presence).toContain('empty');
    await expect(transport.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: expect.stringMatching(/NO_CARD|CARD_REMOVED/) });
    await expect(transport.connect()).rejects.toMatchObject({ code: 'NO_CARD' });
    fake.device.setCard(true);
    await tick();
    expect(presence[presence.length - 1]).toBe('present');
    await transport.connect();
    expect(toHex(await transport.transmit(fromHex('00A4040C')))).toBe('9000');
    await transport.close();
  });

  it('reports an unplugged reader as READER_GONE and no-reader', async () => {
    const { transport, fake, presence } = setup({ reader });
    await transport.connect();
    fake.device.unplug();
    await tick();
    expect(presence[presence.length - 1]).toBe('no-reader');
    await expect(transport.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: 'READER_GONE' });
    await transport.close();
  });

  it('refuses garbage and oversized reader messages with typed errors, then carries on', async () => {
    const { transport, fake } = setup({ reader });
    await transport.connect();
    fake.reader.faults.garbageNext = 12;
    await expect(transport.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: 'MESSAGE_MALFORMED' });
    fake.reader.faults.oversizeNext = true;
    await expect(transport.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    if (reader === 'tpdu') await transport.connect(); // the T=1 state is gone with the lost blocks
    expect(toHex(await transport.transmit(fromHex('00A4040C')))).toBe('9000');
    await transport.close();
  });

  it('honours reader time extensions and stops a storm of them', async () => {
    const { transport, fake } = setup({ reader, readerFaults: { timeExtensions: 3 } }, { maxTimeExtensions: 5 });
    await transport.connect();
    expect(toHex(await transport.transmit(fromHex('00A4040C')))).toBe('9000');
    fake.reader.faults.timeExtensionStorm = true;
    await expect(transport.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: 'TIME_EXTENSION_STORM' });
    await transport.close();
  });

  it('refuses a response longer than the command asked for', async () => {
    const { transport } = setup({ reader });
    await transport.connect();
    await expect(transport.transmit(fromHex('00B0FF0010'))).rejects.toMatchObject({ code: 'RESPONSE_TOO_LARGE' });
    await transport.close();
  });
});

describe('WebUsbCcidTransport specifics', () => {
  it('short-APDU readers refuse extended APDUs up front', async () => {
    const { transport } = setup({ reader: 'apdu-short' });
    await transport.connect();
    expect(transport.info.maxApduLength).toBe(261);
    await expect(transport.transmit(fromHex('80CA0100000000'))).rejects.toMatchObject({ code: 'EXTENDED_APDU_UNSUPPORTED' });
    expect(toHex(await transport.transmit(fromHex('00A4040C')))).toBe('9000');
    await transport.close();
  });

  it('answers card S(WTX) and hands the multiplier to the reader as bBWI', async () => {
    const { transport, fake } = setup({ reader: 'tpdu', cardFaults: { wtx: 3 } });
    await transport.connect();
    expect(toHex(await transport.transmit(fromHex('00A4040C')))).toBe('9000');
    expect(fake.reader.bwiSeen).toContain(3);
    await transport.close();
  });

  it('stops a WTX storm and recovers with S(RESYNCH) once the card behaves', async () => {
    const { transport, fake } = setup({ reader: 'tpdu', cardFaults: { wtx: 1, wtxStorm: true } }, { maxWtxPerApdu: 4 });
    await transport.connect();
    await expect(transport.transmit(fromHex('00A4040C'))).rejects.toMatchObject({ code: 'WTX_STORM' });
    fake.t1Card!.faults.wtxStorm = false;
    fake.t1Card!.faults.wtx = 0;
    expect(toHex(await transport.transmit(fromHex('00A4040C')))).toBe('9000');
    await transport.close();
  });

  it('recovers from corrupted T=1 blocks with R-blocks', async () => {
    const { transport, fake } = setup({ reader: 'tpdu' });
    await transport.connect();
    fake.t1Card!.faults.corruptNext = 2;
    expect(toHex(await transport.transmit(fromHex('00A4040C')))).toBe('9000');
    await transport.close();
  });

  it('explains the protected-class refusal with USB_PROTECTED_CLASS', async () => {
    const { transport } = setup({ reader: 'apdu', interfaceClass: 0x0b });
    await expect(transport.connect()).rejects.toMatchObject({ code: 'USB_PROTECTED_CLASS', layer: 'reader' });
  });

  it('class 0x0B works where the browser allows it (Isolated Web App)', async () => {
    const { transport } = setup({ reader: 'apdu', interfaceClass: 0x0b, refuseProtectedClass: false });
    await transport.connect();
    expect(transport.classification).toMatchObject({ protectedClass: true, webUsbClaimable: false });
    await transport.close();
  });

  it('says NO_CARD when connecting to an empty reader', async () => {
    const { transport, presence } = setup({ reader: 'apdu', cardPresent: false });
    await expect(transport.connect()).rejects.toMatchObject({ code: 'NO_CARD' });
    expect(presence).toEqual(['empty']);
    await transport.close();
  });

  it('the init script is self-contained: evaluated in a bare context it yields a working navigator.usb', async () => {
    const navigator: { usb?: UsbLike } = {};
    const context: Record<string, unknown> = {
      navigator,
      DOMException,
      DataView,
      Uint8Array,
      Promise,
      setTimeout,
      fakeUsbCard: async (hex: string) => toHex(testCard.transmit(fromHex(hex))),
    };
    context.globalThis = context;
    runInNewContext(fakeUsbInitScript({ reader: 'tpdu', cardBinding: 'fakeUsbCard' }), context);
    const usb = navigator.usb!;
    const device = await usb.requestDevice({ filters: [{ classCode: 0xff }] });
    const transport = new WebUsbCcidTransport(device, { usb, responseTimeoutMs: 500 });
    expect(toHex(await transport.connect())).toBe(EGK_ATR);
    expect(toHex(await transport.transmit(fromHex('00A4040C')))).toBe('9000');
    await transport.close();
  });
});
