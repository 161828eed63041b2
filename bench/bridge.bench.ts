/**
 * Card insertion to token through the local bridge on loopback: a virtual
 * reader in `popp bridge`'s server holds a software eGK (test PKI card), the
 * dashboard's BridgeClient + LoopbackBridgeTransport drive the client core
 * against the service endpoint. Each check is split into card time (inside the
 * software eGK), bridge time (loopback WebSocket, JSON/hex, the bridge's
 * queueing) and service time (the rest: the service's work and its socket).
 * Baseline: the same check with the card in-process (no bridge).
 */
import { CompactSign, generateKeyPair } from 'jose';
import { WebSocket } from 'ws';
import { BridgeClient, type WebSocketLike } from '../client/card-bridge/loopback/bridge-client';
import { LoopbackBridgeTransport } from '../client/card-bridge/loopback/transport';
import type { CardTransport } from '../lib/card-transport/types';
import { runEhcCheck, webSocketChannel } from '../lib/popp-client';
import { startBridgeServer } from '../server/bridge/server';
import { VIRTUAL_READER_NAME, VirtualBackend, type VirtualCard } from '../server/bridge/virtual-backend';
import { SoftwareEgk } from '../server/egk';
import type { EhcTokenInput } from '../server/popp/ehc/deps';
import { devEhcTrust } from '../server/popp/ehc/dev-trust';
import { createEhcEndpoint } from '../server/popp/ehc/endpoint';
import { softwareCardTransport } from '../server/popp/ehc/software-transport';
import { serveEhc } from '../server/popp/ehc/test-server';
import { createTestPki, issueCard, issueServiceIdentity } from '../server/testpki/pki';
import type { BenchSection } from './types';

const RUNS = 20;

interface Clock {
  cardMs: number;
  transportMs: number;
  apdus: number;
}

function timedCard(card: SoftwareEgk, clock: Clock): VirtualCard {
  return {
    reset: () => {
      const t0 = performance.now();
      try {
        return card.reset();
      } finally {
        clock.cardMs += performance.now() - t0;
      }
    },
    transmit: (apdu) => {
      const t0 = performance.now();
      try {
        return card.transmit(apdu);
      } finally {
        clock.cardMs += performance.now() - t0;
      }
    },
  };
}

function timedTransport(t: CardTransport, clock: Clock): CardTransport {
  return {
    get info() {
      return t.info;
    },
    connect: async () => {
      const t0 = performance.now();
      try {
        return await t.connect();
      } finally {
        clock.transportMs += performance.now() - t0;
      }
    },
    transmit: async (apdu) => {
      const t0 = performance.now();
      clock.apdus++;
      try {
        return await t.transmit(apdu);
      } finally {
        clock.transportMs += performance.now() - t0;
      }
    },
    onPresence: (l) => t.onPresence(l),
    close: () => t.close(),
  };
}

export default async function (): Promise<BenchSection> {
  const pki = createTestPki();
  const id = issueServiceIdentity(pki);
  const trust = devEhcTrust({ gematik: false, testPki: pki, service: { cvcChain: id.chain.map((c) => c.raw), key: id.privateKey } });
  const { privateKey } = await generateKeyPair('ES256');
  const endpoint = createEhcEndpoint({
    authenticate: async () => ({ telematikId: '1-20014060625', professionOid: '1.2.276.0.76.4.50' }),
    issueToken: (i: EhcTokenInput) =>
      new CompactSign(new TextEncoder().encode(JSON.stringify({ iss: 'https://bench', patientId: i.patientId })))
        .setProtectedHeader({ typ: 'vnd.telematik.popp+jwt', alg: 'ES256' })
        .sign(privateKey),
    trust,
    config: { cardTimeBudgetMs: 10_000, maxFrameBytes: 65_536, production: false },
    now: Date.now,
  });
  const service = await serveEhc(endpoint);
  const backend = new VirtualBackend();
  const bridge = await startBridgeServer({ backend, port: 0, pairingCode: '123456' });
  const client = new BridgeClient({
    url: bridge.url,
    pairingCode: '123456',
    createSocket: (u) => new WebSocket(u, { origin: 'http://localhost:3000' }) as unknown as WebSocketLike,
  });
  await client.start();
  const xmls = Array.from({ length: 4 }, () => issueCard(pki).xml);

  const sum = { total: 0, card: 0, bridge: 0, service: 0, scenarios: 0, apdus: 0, direct: 0 };
  try {
    for (let run = -3; run < RUNS; run++) {
      const xml = xmls[(run + 3) % xmls.length];
      // Baseline: the card in this process, no bridge.
      const direct = softwareCardTransport(SoftwareEgk.fromImageXml(xml));
      const d0 = performance.now();
      await direct.connect();
      await runEhcCheck({ channel: await webSocketChannel(new WebSocket(service.url) as never), card: direct });
      const directMs = performance.now() - d0;

      // Through the bridge: from the card going into the (virtual) reader to the token.
      const clock: Clock = { cardMs: 0, transportMs: 0, apdus: 0 };
      backend.remove();
      const loopback = new LoopbackBridgeTransport(client, VIRTUAL_READER_NAME);
      const present = new Promise<void>((resolve) => {
        const off = loopback.onPresence((p) => p === 'present' && (off(), resolve()));
      });
      const t0 = performance.now();
      backend.insert(timedCard(SoftwareEgk.fromImageXml(xml), clock));
      await present;
      const card = timedTransport(loopback, clock);
      await card.connect();
      const r = await runEhcCheck({ channel: await webSocketChannel(new WebSocket(service.url) as never), card });
      const total = performance.now() - t0;
      await loopback.close();
      if (run < 0) continue; // warm-up
      sum.total += total;
      sum.card += clock.cardMs;
      sum.bridge += clock.transportMs - clock.cardMs;
      sum.service += total - clock.transportMs;
      sum.scenarios += r.scenarios;
      sum.apdus += clock.apdus;
      sum.direct += directMs;
    }
  } finally {
    client.close();
    await bridge.close();
    await service.stop();
  }
  const avg = (v: number) => v / RUNS;
  const total = avg(sum.total);
  const base = { name: 'same check, card in-process (no bridge)', value: avg(sum.direct), unit: 'ms' };
  const share = (name: string, v: number) => ({ name, value: (100 * v) / sum.total, unit: '% of total' });
  return {
    title: 'Card insertion to token through the local bridge (loopback, virtual reader)',
    notes: [
      `Mean of ${RUNS} checks after 3 warm-ups; test-PKI software eGKs in a virtual reader of the bridge server, client core + BridgeClient in the same process, service endpoint on loopback.`,
      'Card time = inside the software eGK; bridge time = loopback transport minus card time (WebSocket to the bridge, JSON/hex, queueing); service time = the rest (service work, its WebSocket, waiting for scenarios).',
      'Ratio of the total = bridge path / in-process card path, measured alternately in the same process. A real reader and card add their own card time (T=1 at card speed, on-card ECC), which is not modelled here and would dominate [inf].',
    ],
    rows: [
      { name: 'insertion → token, via bridge', value: total, unit: 'ms', baseline: base, ratio: total / base.value },
      { name: 'round trips to the service (scenarios)', value: sum.scenarios / RUNS, unit: 'per check' },
      { name: 'APDUs through the bridge', value: sum.apdus / RUNS, unit: 'per check' },
      share('card time (software eGK)', sum.card),
      share('bridge time (loopback transport)', sum.bridge),
      share('service time (incl. its socket)', sum.service),
    ],
  };
}
