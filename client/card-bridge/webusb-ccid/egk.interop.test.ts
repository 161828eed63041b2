/**
 * The WebUSB CCID driver carrying a whole eGK check-in: fake APDU-level and
 * TPDU-level (T=1) readers from e2e/fixtures/fake-usb, the software eGK from
 * gematik's card image behind them, the service endpoint on loopback, and a
 * verified token at the end. Gated on gematik's material like every interop test.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createFakeUsb, fakeUsbClasses } from '../../../e2e/fixtures/fake-usb';
import { runEhcCheck, webSocketChannel } from '../../../lib/popp-client';
import { SoftwareEgk } from '../../../server/egk';
import { startTestEhcService } from '../../../server/bridge/testing/ehc-service';
import { interopAvailable, interopPath } from '../../../server/testing/interop';
import { WebUsbCcidTransport } from './transport';
import type { UsbDeviceLike, UsbLike } from './usb-types';

describe.runIf(interopAvailable())('eGK check-in over WebUSB CCID (fake readers, software eGK)', () => {
  const image = () => readFileSync(interopPath('card-image', 'IMG_eGK_G21_TU_root6.xml'), 'utf8');

  it.each(['apdu', 'tpdu'] as const)('%s-level reader → verified token', async (reader) => {
    const egk = SoftwareEgk.fromImageXml(image());
    const atr = Buffer.from(egk.reset()).toString('hex').toUpperCase();
    const fake = createFakeUsb(fakeUsbClasses, { reader, atr, readerFaults: { timeExtensions: 1 }, cardFaults: { wtx: 1 } }, egk);
    const card = new WebUsbCcidTransport(fake.device as unknown as UsbDeviceLike, { usb: fake.usb as unknown as UsbLike });
    const service = await startTestEhcService();
    try {
      await card.connect();
      const channel = await webSocketChannel(new WebSocket(service.url) as never);
      const result = await runEhcCheck({ channel, card });
      expect(await service.verify(result.token)).toMatchObject({ patientId: 'X110540756', insurerId: '109500969' });
    } finally {
      await card.close();
      await service.stop();
    }
  }, 60_000);

  it('a short-APDU reader stops at the first extended APDU with a typed error and no token', async () => {
    // The service sends extended Le (LIST PUBLIC KEY, CH.AUT read) as gematik's sample does; nothing in
    // Start tells it the reader is short-only, so the check cannot succeed here (docs/readers.md, gaps).
    const egk = SoftwareEgk.fromImageXml(image());
    const fake = createFakeUsb(fakeUsbClasses, { reader: 'apdu-short', atr: Buffer.from(egk.reset()).toString('hex') }, egk);
    const card = new WebUsbCcidTransport(fake.device as unknown as UsbDeviceLike, { usb: fake.usb as unknown as UsbLike });
    const service = await startTestEhcService();
    try {
      await card.connect();
      const channel = await webSocketChannel(new WebSocket(service.url) as never);
      const e = await runEhcCheck({ channel, card }).then(
        () => undefined,
        (err: Error) => err,
      );
      expect((e?.cause as { code?: string } | undefined)?.code).toBe('EXTENDED_APDU_UNSUPPORTED');
      expect(service.issued).toHaveLength(0);
    } finally {
      await card.close();
      await service.stop();
    }
  }, 60_000);
});
