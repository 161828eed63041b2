import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { toHex } from '../../../lib/bytes/hex';
import { runEhcCheck, webSocketChannel, isEhcClientError, type EhcClientError } from '../../../lib/popp-client';
import { nodeCardCrypto } from '../../card/crypto-node';
import { SoftwareEgk } from '../../egk';
import { interopAvailable, interopPath } from '../../testing/interop';
import type { EhcDeps, EhcTokenInput } from './deps';
import { createChAutValidator } from './chaut-validator';
import { anchorFromRootCvc, devEhcTrust } from './dev-trust';
import { createEhcEndpoint } from './endpoint';
import { softwareCardTransport, type SoftwareCardTransport } from './software-transport';
import { serveEhc } from './test-server';
import { signPoppToken } from '../token';

/**
 * The whole eGK check over a real `ws` server on loopback: client core → endpoint →
 * scenario table → software eGK loaded from gematik's card image (KVNR X110540756,
 * IK 109500969), and the failures that need the real card conversation.
 */

const ACTOR = { telematikId: '1-20014060625', professionOid: '1.2.276.0.76.4.50' };
const ISS = 'https://popp.test';

// The service's real token function, with a throwaway key: what the dashboard would receive.
const { privateKey: signingKey, publicKey: verifyKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const testKey = { kid: 'test', privateKey: signingKey, publicJwk: {} as never, x5c: [] };

function signToken(input: EhcTokenInput): Promise<string> {
  return signPoppToken(
    {
      proofMethod: input.proofMethod,
      patientProofTime: input.patientProofTime,
      patientId: input.patientId,
      insurerId: input.insurerId,
      actorId: input.actor.telematikId,
      actorProfessionOid: input.actor.professionOid,
    },
    { issuer: ISS, key: testKey },
  );
}

interface Service {
  url: string;
  issued: EhcTokenInput[];
  logs: unknown[];
  stats(): { sessions: number };
  stop(): Promise<void>;
}

async function startService(
  over: { now?: () => number; trust?: Partial<EhcDeps['trust']>; config?: Partial<EhcDeps['config']>; issueToken?: EhcDeps['issueToken'] } = {},
): Promise<Service> {
  const issued: EhcTokenInput[] = [];
  const logs: unknown[] = [];
  const now = over.now ?? Date.now;
  const deps: EhcDeps = {
    authenticate: async () => ACTOR,
    issueToken:
      over.issueToken ??
      (async (input) => {
        issued.push(input);
        return signToken(input);
      }),
    trust: { ...devEhcTrust({ now }), ...over.trust },
    config: { cardTimeBudgetMs: 5000, maxFrameBytes: 65536, production: false, ...over.config },
    now,
    log: (e) => logs.push(e),
  };
  const endpoint = createEhcEndpoint(deps);
  const srv = await serveEhc(endpoint);
  return { url: srv.url, issued, logs, stats: () => endpoint.stats(), stop: srv.stop };
}

const imageXml = () => readFileSync(interopPath('card-image', 'IMG_eGK_G21_TU_root6.xml'), 'utf8');

async function check(svc: Service, card: SoftwareCardTransport, onScenarioSent?: (n: number) => void) {
  const channel = await webSocketChannel(new WebSocket(svc.url) as never);
  return runEhcCheck({
    channel,
    card,
    onProgress: (p) => p.phase === 'sent' && onScenarioSent?.(p.scenario),
  });
}

async function failure(p: Promise<unknown>): Promise<EhcClientError> {
  try {
    await p;
  } catch (e) {
    if (isEhcClientError(e)) return e;
    throw e;
  }
  throw new Error('expected the check to fail');
}

async function settled(svc: Service) {
  await new Promise((r) => setTimeout(r, 20));
  expect(svc.stats().sessions).toBe(0);
}

describe.runIf(interopAvailable())('eGK check with gematik’s card image', () => {
  let svc: Service;
  beforeAll(async () => {
    svc = await startService();
  });
  afterAll(() => svc.stop());

  it('yields a token for X110540756 / 109500969 in 2 round trips', async () => {
    const card = softwareCardTransport(SoftwareEgk.fromImageXml(imageXml()));
    const before = Math.floor(Date.now() / 1000);
    const r = await check(svc, card);
    expect(r.scenarios).toBe(2);
    const { payload, protectedHeader } = await jwtVerify(r.token, verifyKey, { issuer: ISS, typ: 'vnd.telematik.popp+jwt' });
    expect(protectedHeader.alg).toBe('ES256');
    expect(payload).toMatchObject({
      version: '1.0.0',
      proofMethod: 'ehc-practitioner-trustedchannel',
      patientId: 'X110540756',
      insurerId: '109500969',
      actorId: ACTOR.telematikId,
      actorProfessionOid: ACTOR.professionOid,
    });
    expect(payload.patientProofTime).toBeGreaterThanOrEqual(before);
    expect(payload.patientProofTime).toBeLessThanOrEqual(Math.floor(Date.now() / 1000));
    // 12 APDUs in round 1 (SELECT … GA 2), 2 under SM in round 2.
    expect(card.exchanges).toBe(14);
    await settled(svc);
    expect(JSON.stringify(svc.logs)).not.toMatch(/X110540756|109500969|eyJ/);
  });

  it('a card that lacks the speculative root (6A88) gets the chain via LIST PUBLIC KEY: 3 round trips', async () => {
    // Speculate on DEGXX 86-02-20, which this card does not know; it lists 87-02-22, from which no link is needed.
    const svc3 = await startService({ trust: { expectedCardRoot: Uint8Array.from(Buffer.from('4445475858860220', 'hex')) } });
    try {
      const card = softwareCardTransport(SoftwareEgk.fromImageXml(imageXml()));
      const r = await check(svc3, card);
      expect(r.scenarios).toBe(3);
      const { payload } = await jwtVerify(r.token, verifyKey);
      expect(payload).toMatchObject({ patientId: 'X110540756', insurerId: '109500969' });
    } finally {
      await svc3.stop();
    }
  });

  it('…and when LIST PUBLIC KEY names no root we can reach → 79509', async () => {
    const svc3 = await startService({ trust: { expectedCardRoot: Uint8Array.from(Buffer.from('4445475858860220', 'hex')) } });
    try {
      const card = softwareCardTransport(SoftwareEgk.fromImageXml(imageXml()), {
        // The card claims to know only a key nobody has a link from.
        intercept: (cmd, res) => (cmd[0] === 0x80 && cmd[1] === 0xca ? Uint8Array.from(Buffer.from('E0154F07D2760001448000B60A830844454758589900009000', 'hex')) : res),
      });
      const e = await failure(check(svc3, card));
      expect(e.serviceErrorCode).toBe('79509');
      await settled(svc3);
      expect(svc3.issued).toEqual([]);
    } finally {
      await svc3.stop();
    }
  });

  it('a tampered response MAC → 79500, no token', async () => {
    const card = softwareCardTransport(SoftwareEgk.fromImageXml(imageXml()), {
      intercept: (cmd, res) => {
        if (cmd[0] === 0x0c && cmd[1] === 0xb0) {
          const t = res.slice();
          t[t.length - 3] ^= 0x01; // last MAC byte, before SW1 SW2
          return t;
        }
        return res;
      },
    });
    const n = svc.issued.length;
    const e = await failure(check(svc, card));
    expect(e.serviceErrorCode).toBe('79500');
    expect(svc.issued.length).toBe(n);
    await settled(svc);
  });

  it('a tampered ephemeral key in GA step 1 → the card’s SM answers do not verify (79500)', async () => {
    const card = softwareCardTransport(SoftwareEgk.fromImageXml(imageXml()), {
      intercept: (cmd, res) => {
        if (cmd[0] === 0x10 && cmd[1] === 0x86 && res.length === 71) {
          // Replace the card's ephemeral key by another point on the curve: the keys no longer agree.
          const t = res.slice();
          t.set(nodeCardCrypto.generateKeyPair('brainpoolP256r1').publicKey, 4);
          return t;
        }
        return res;
      },
    });
    const e = await failure(check(svc, card));
    expect(e.serviceErrorCode).toBe('79500');
    await settled(svc);
  });

  it('a card pulled after round 1 ends the session: freed, no token, service still serving', async () => {
    const n = svc.issued.length;
    const card = softwareCardTransport(SoftwareEgk.fromImageXml(imageXml()));
    const e = await failure(check(svc, card, (scenario) => scenario === 1 && card.pull()));
    expect(e.code).toBe('card-removed');
    await settled(svc);
    expect(svc.issued.length).toBe(n);
    const ok = await check(svc, softwareCardTransport(SoftwareEgk.fromImageXml(imageXml())));
    expect(ok.scenarios).toBe(2);
  });

  it('a wrong step count with the real flow → 79511', async () => {
    const card = softwareCardTransport(SoftwareEgk.fromImageXml(imageXml()));
    const ws = new WebSocket(svc.url);
    const got: any[] = [];
    await new Promise((r) => ws.on('open', r));
    const closed = new Promise((r) => ws.on('close', r));
    ws.on('message', async (d) => {
      const m = JSON.parse(d.toString());
      got.push(m);
      if (m.type !== 'StandardScenario') return;
      const answers = [];
      for (const s of m.steps) answers.push(toHex(await card.transmit(Buffer.from(s.commandApdu, 'hex'))).toLowerCase());
      ws.send(JSON.stringify({ type: 'ScenarioResponse', steps: answers.slice(0, -1) })); // drop GA 2's 9000
    });
    ws.send(JSON.stringify({ type: 'Start', version: '1.0.0', cardConnectionType: 'contact-standard', clientSessionId: 'x' }));
    await closed;
    expect(got.at(-1)).toMatchObject({ type: 'Error', errorCode: '79511' });
    await settled(svc);
  });
});

describe.runIf(interopAvailable())('card checks that end the session', () => {
  async function expectServiceError(code: string, over: Parameters<typeof startService>[0]) {
    const svc = await startService(over);
    try {
      const e = await failure(check(svc, softwareCardTransport(SoftwareEgk.fromImageXml(imageXml()))));
      expect(e.code).toBe('service-error');
      expect(e.serviceErrorCode).toBe(code);
      await settled(svc);
      expect(svc.issued).toEqual([]);
    } finally {
      await svc.stop();
    }
  }

  it('an object system outside the accepted list → 79503', () =>
    expectServiceError('79503', { config: { objectSystemVersions: ['040400'] } }));

  it('a blocked product → 79502', () =>
    expectServiceError('79502', { config: { blockedProducts: [toHex(new TextEncoder().encode('EGK_G2.1     ')) + '040502'] } }));

  it('a card CVC past its expiry (service date 2029) → 79116', () =>
    expectServiceError('79116', { now: () => Date.UTC(2029, 0, 15) }));

  it('a card under a root we do not trust → 79514', async () => {
    // Trust only the newest DEGXX root, without links: the card's sub-CA (under 87-02-22) has no path to it.
    const anchor880224 = anchorFromRootCvc(new Uint8Array(readFileSync(interopPath('cvc', 'atos-root-ca', 'DEGXX880224.cvc'))));
    await expectServiceError('79514', { trust: { cvcRoots: [anchor880224], cvcLinks: [] } });
  });

  it('a trust decision naming its own code (bdeCode 79112, OCSP not reachable) reaches the client as is', () =>
    expectServiceError('79112', {
      trust: {
        validateChAut: async () => {
          throw Object.assign(new Error('OCSP responder down'), { bdeCode: '79112' });
        },
      },
    }));

  it('a token function that fails → 79100', () =>
    expectServiceError('79100', { issueToken: async () => Promise.reject(new Error('HSM offline')) }));

  it('a C.CH.AUT from an unknown CA → 79117', async () => {
    await expectServiceError('79117', { trust: { validateChAut: createChAutValidator({ cas: [], crypto: nodeCardCrypto, now: Date.now }) } });
  });
});
