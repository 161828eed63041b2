import { describe, expect, it } from 'vitest';
import { bridgeStatusUrl, detectTransportOptions, pickDefault } from './select';
import type { SmartCardResourceManagerLike } from './smartcard-api/smartcard-types';
import type { UsbLike } from './webusb-ccid/usb-types';

const usb = {} as UsbLike;
const smartCard = {} as SmartCardResourceManagerLike;

describe('detectTransportOptions', () => {
  it('prefers the bridge when it answers; hides the Web Smart Card API with its reason when absent', async () => {
    const options = await detectTransportOptions({ usb, probeBridge: async () => true });
    expect(options.map((o) => [o.kind, o.available, o.hidden])).toEqual([
      ['bridge', true, false],
      ['webusb-ccid', true, false],
      ['smartcard-api', false, true],
    ]);
    expect(options[2].reason).toMatch(/Isolated Web Apps/);
    expect(pickDefault(options)?.kind).toBe('bridge');
  });

  it('falls back to WebUSB when the bridge is down, and says how to start the bridge', async () => {
    const options = await detectTransportOptions({ usb, probeBridge: async () => false });
    expect(options[0]).toMatchObject({ kind: 'bridge', available: false });
    expect(options[0].reason).toMatch(/popp bridge/);
    expect(pickDefault(options)?.kind).toBe('webusb-ccid');
  });

  it('offers the Web Smart Card API where it exists, the virtual reader only on request, labelled', async () => {
    const options = await detectTransportOptions({ smartCard, probeBridge: async () => false, allowVirtual: true, lang: 'en' });
    expect(options.find((o) => o.kind === 'smartcard-api')).toMatchObject({ available: true, hidden: false });
    expect(options.find((o) => o.kind === 'virtual')?.label).toMatch(/test\/demo only/);
    expect(options.find((o) => o.kind === 'webusb-ccid')).toMatchObject({ available: false });
  });

  it('names the Web Smart Card API in its English reason when it is missing', async () => {
    const options = await detectTransportOptions({ probeBridge: async () => false, lang: 'en' });
    expect(options.find((o) => o.kind === 'smartcard-api')?.reason).toMatch(/^Web Smart Card API not available: Isolated Web Apps only/);
  });

  it('derives the status URL from the bridge WebSocket URL', () => {
    expect(bridgeStatusUrl('ws://127.0.0.1:17373')).toBe('http://127.0.0.1:17373/status');
  });
});
