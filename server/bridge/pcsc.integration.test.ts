/**
 * The bridge over a real pcscd: the test starts its own `pcscd -f` with a
 * vsmartcard vpcd reader, plugs in the software eGK built from gematik's card
 * image as the virtual card (TCP, 2-byte length frames), and drives it through
 * PcscBackend → `popp bridge` WebSocket → BridgeClient → LoopbackBridgeTransport,
 * up to a full eGK check-in against the service endpoint and a verified token.
 *
 * Skips on machines without pcscd, vpcd, the PC/SC binding or gematik's
 * material; with CI=true any of them missing fails the run instead.
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { BridgeClient, type WebSocketLike } from '../../client/card-bridge/loopback/bridge-client';
import { LoopbackBridgeTransport } from '../../client/card-bridge/loopback/transport';
import { fromHex, toHex } from '../../lib/bytes/hex';
import type { CardPresence } from '../../lib/card-transport/types';
import { parseAtr } from '../../lib/ccid/atr';
import { runEhcCheck, webSocketChannel } from '../../lib/popp-client';
import { SoftwareEgk } from '../egk';
import { interopAvailable, interopPath } from '../testing/interop';
import { loadPcscLite } from './pcsc-loader';
import { PcscBackend } from './pcsc-backend';
import { startBridgeServer, type BridgeServer } from './server';
import { startTestEhcService } from './testing/ehc-service';
import { pcscdAvailable, startPcscd, type PcscdHarness } from './testing/pcscd';
import { connectVpcdCard, type VpcdCardConnection } from './testing/vpcd-card';

async function prerequisites(): Promise<boolean> {
  const problems: string[] = [];
  const p = pcscdAvailable();
  if (!p.ok) problems.push(p.reason);
  try {
    await loadPcscLite();
  } catch (e) {
    problems.push((e as Error).message);
  }
  if (problems.length === 0) return interopAvailable();
  if (process.env.CI === 'true') throw new Error(`PC/SC integration prerequisites missing (CI=true): ${problems.join('; ')}`);
  console.warn(`[pcsc] skipped: ${problems.join('; ')}`);
  return false;
}

const ORIGIN = 'http://localhost:3000';
const until = async (cond: () => boolean, ms = 10_000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe.runIf(await prerequisites())('popp bridge over pcscd + vpcd with the software eGK', () => {
  let pcscd: PcscdHarness;
  let backend: PcscBackend;
  let bridge: BridgeServer;
  let vpcd: VpcdCardConnection;
  let client: BridgeClient;
  let transport: LoopbackBridgeTransport;
  let egk: SoftwareEgk;
  let readerName: string;
  let cardAtr: string;
  const presence: CardPresence[] = [];
  const imageXml = () => readFileSync(interopPath('card-image', 'IMG_eGK_G21_TU_root6.xml'), 'utf8');

  beforeAll(async () => {
    pcscd = await startPcscd();
    // libpcsclite reads this when the binding creates its context, i.e. in PcscBackend.start.
    process.env.PCSCLITE_CSOCK_NAME = pcscd.socketPath;
    egk = SoftwareEgk.fromImageXml(imageXml());
    cardAtr = toHex(egk.reset());
    vpcd = await connectVpcdCard(egk, { port: pcscd.vpcdPort });
    backend = await PcscBackend.start();
    await until(() => backend.readers().some((r) => r.presence === 'present'));
    readerName = backend.readers().find((r) => r.presence === 'present')!.name;
    bridge = await startBridgeServer({ backend, port: 0, pairingCode: '424242' });
    client = new BridgeClient({
      url: bridge.url,
      pairingCode: '424 242',
      createSocket: (u) => new WebSocket(u, { origin: ORIGIN }) as unknown as WebSocketLike,
      requestTimeoutMs: 15_000,
    });
    await client.start();
    transport = new LoopbackBridgeTransport(client, readerName);
    transport.onPresence((p) => presence.push(p));
  }, 60_000);

  afterAll(async () => {
    await transport?.close().catch(() => undefined);
    client?.close();
    await bridge?.close();
    await vpcd?.close();
    await backend?.close();
    await pcscd?.stop();
  }, 30_000);

  it(`runs in its own pcscd`, () => {
    expect(pcscd.socketPath).not.toBe('/run/pcscd/pcscd.comm');
    expect(readerName).toMatch(/^PoPP Test vpcd/);
    expect(client.readers.map((r) => r.name)).toContain(readerName);
  });

  it('SELECT and READ BINARY through PC/SC, the bridge and the loopback transport', async () => {
    const atr = await transport.connect();
    // The image's own ATR (T=1), as pcscd read it through vpcd.
    expect(toHex(atr)).toBe(cardAtr);
    expect(parseAtr(atr).protocols).toContain(1);
    expect(toHex(await transport.transmit(fromHex('00A4040C07D2760001448000')))).toBe('9000');
    // EF.GDO (SFI 02): 5A 0A ICCSN
    const gdo = await transport.transmit(fromHex('00B0820000'));
    expect(toHex(gdo.subarray(gdo.length - 2))).toBe('9000');
    expect(toHex(gdo.subarray(0, 2))).toBe('5A0A');
    // EF.Version2 (SFI 11), then an extended-length read: C.CH.AUT in DF.ESIGN (810 bytes).
    expect(toHex((await transport.transmit(fromHex('00B0910000'))).slice(-2))).toBe('9000');
    expect(toHex(await transport.transmit(fromHex('00A4040C0AA000000167455349474E')))).toBe('9000');
    const chaut = await transport.transmit(fromHex('00B0840000' + '0000'));
    expect(toHex(chaut.subarray(chaut.length - 2))).toBe('9000');
    expect(chaut.length).toBe(812);
  });

  it('completes an eGK check-in through the bridge to a verified token', async () => {
    const service = await startTestEhcService();
    try {
      const channel = await webSocketChannel(new WebSocket(service.url) as never);
      await transport.connect();
      const result = await runEhcCheck({ channel, card: transport });
      expect(await service.verify(result.token)).toMatchObject({ patientId: 'X110540756', insurerId: '109500969' });
      expect(service.issued).toHaveLength(1);
      expect(result.scenarios).toBeGreaterThanOrEqual(2);
    } finally {
      await service.stop();
    }
  }, 60_000);

  it('card pulled: presence goes empty, the session fails cleanly, the next card works', async () => {
    await transport.connect();
    await vpcd.close();
    await until(() => presence.includes('empty'));
    await expect(transport.transmit(fromHex('00A4040C07D2760001448000'))).rejects.toMatchObject({
      code: expect.stringMatching(/CARD_REMOVED|NOT_CONNECTED|NO_CARD/),
    });
    vpcd = await connectVpcdCard(SoftwareEgk.fromImageXml(imageXml()), { port: pcscd.vpcdPort });
    await until(() => presence[presence.length - 1] === 'present');
    await transport.connect();
    expect(toHex(await transport.transmit(fromHex('00A4040C07D2760001448000')))).toBe('9000');
  }, 30_000);
});
