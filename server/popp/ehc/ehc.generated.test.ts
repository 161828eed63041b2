import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { fromHex } from '../../../lib/bytes/hex';
import { isEhcClientError, runEhcCheck, webSocketChannel, type EhcClientError } from '../../../lib/popp-client';
import { issueCvc } from '../../card/cvc/encode';
import { cvcDateFromJs } from '../../card/cvc/date';
import { OID } from '../../card/oid';
import { createTestPki, issueCard, issueServiceIdentity, type CardState, type TestPki } from '../../testpki/pki';
import type { EhcDeps, EhcTokenInput } from './deps';
import { devEhcTrust } from './dev-trust';
import { createEhcEndpoint } from './endpoint';
import { interopAvailable } from '../../testing/interop';
import { softwareCardTransport } from './software-transport';
import { serveEhc } from './test-server';

/**
 * The eGK check with cards from our own test PKI (no gematik material needed): every
 * card state the generator offers, each ending with its 79xxx code and no token, and
 * the three-round path through a link CVC.
 */

const ACTOR = { telematikId: '1-20014060625', professionOid: '1.2.276.0.76.4.50' };

let pki: TestPki;
let svc: { url: string; issued: EhcTokenInput[]; stats(): { sessions: number }; stop(): Promise<void> };

async function start(trust: EhcDeps['trust']) {
  const issued: EhcTokenInput[] = [];
  const endpoint = createEhcEndpoint({
    authenticate: async () => ACTOR,
    issueToken: async (i) => (issued.push(i), 'eyJhbGciOiJFUzI1NiJ9.eyJ4IjoxfQ.c2ln'),
    trust,
    config: { cardTimeBudgetMs: 5000, maxFrameBytes: 65536, production: false },
    now: Date.now,
  });
  const s = await serveEhc(endpoint);
  return { url: s.url, issued, stats: () => endpoint.stats(), stop: s.stop };
}

async function check(url: string, state: CardState) {
  const card = issueCard(pki, { state });
  const transport = softwareCardTransport(card.open());
  const channel = await webSocketChannel(new WebSocket(url) as never);
  return { card, run: runEhcCheck({ channel, card: transport }) };
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

beforeAll(async () => {
  pki = createTestPki();
  const id = issueServiceIdentity(pki);
  svc = await start(devEhcTrust({ gematik: false, testPki: pki, service: { cvcChain: id.chain.map((c) => c.raw), key: id.privateKey } }));
});
afterAll(() => svc.stop());

describe('generated cards', () => {
  it('a valid card yields its own KVNR and IK in 2 round trips', async () => {
    const { card, run } = await check(svc.url, 'valid');
    const r = await run;
    expect(r.scenarios).toBe(2);
    expect(svc.issued.at(-1)).toMatchObject({ patientId: card.kvnr, insurerId: card.ik, proofMethod: 'ehc-practitioner-trustedchannel' });
  });

  it.each([
    ['foreign-root', '79514'],
    ['expired', '79116'],
    ['not-yet-valid', '79116'],
    ['wrong-chat', '79116'],
    ['tampered-cvc', '79116'],
    ['tampered-ch-aut', '79117'],
  ] as const)('a %s card → %s, session freed, no token', async (state, code) => {
    const n = svc.issued.length;
    const { run } = await check(svc.url, state);
    const e = await failure(run);
    expect(e.serviceErrorCode).toBe(code);
    await new Promise((r) => setTimeout(r, 20));
    expect(svc.stats().sessions).toBe(0);
    expect(svc.issued.length).toBe(n);
  });
});

describe('a service chain under a root the card does not know', () => {
  it('is imported through the link CVC the card can verify: 3 round trips', async () => {
    // Root R2 with a link R → R2 (signed by the card's root R), a service sub-CA and end entity under R2.
    const crypto = pki.crypto;
    const today = cvcDateFromJs(new Date());
    const until = cvcDateFromJs(new Date(Date.now() + 3 * 365 * 86_400_000));
    const r2Key = crypto.generateKeyPair('brainpoolP256r1');
    const r2Ref = fromHex('5453545050880226');
    const rootFlags = fromHex('FFFFFFFFFFFFFF');
    const link = issueCvc(
      crypto,
      { car: pki.cvcRoot.cvc.chr, chr: r2Ref, publicKey: { usageOid: OID.ECDSA_WITH_SHA256, point: r2Key.publicKey }, chat: { oid: OID.CVC_FLAGLIST_TI, flags: rootFlags }, effectiveDate: today, expirationDate: until },
      { curve: 'brainpoolP256r1', privateKey: pki.cvcRoot.key.privateKey },
    );
    const subKey = crypto.generateKeyPair('brainpoolP256r1');
    const sub = issueCvc(
      crypto,
      { car: r2Ref, chr: fromHex('5453545050130226'), publicKey: { usageOid: OID.ECDSA_WITH_SHA256, point: subKey.publicKey }, chat: { oid: OID.CVC_FLAGLIST_TI, flags: fromHex('80000000000003') }, effectiveDate: today, expirationDate: until },
      { curve: 'brainpoolP256r1', privateKey: r2Key.privateKey },
    );
    const eeKey = crypto.generateKeyPair('brainpoolP256r1');
    const ee = issueCvc(
      crypto,
      { car: sub.chr, chr: fromHex('000A80276001011699908888'), publicKey: { usageOid: OID.CVC_AUTH_KEY, point: eeKey.publicKey }, chat: { oid: OID.CVC_FLAGLIST_TI, flags: new Uint8Array(7) }, effectiveDate: today, expirationDate: until },
      { curve: 'brainpoolP256r1', privateKey: subKey.privateKey },
    );
    const s2 = await start(devEhcTrust({ gematik: false, testPki: pki, extraLinks: [link.raw], service: { cvcChain: [sub.raw, ee.raw], key: eeKey.privateKey } }));
    try {
      const { card, run } = await check(s2.url, 'valid');
      const r = await run;
      expect(r.scenarios).toBe(3);
      expect(s2.issued[0]).toMatchObject({ patientId: card.kvnr });
    } finally {
      await s2.stop();
    }
  });
});

describe.runIf(interopAvailable())('one service for gematik’s image and generated cards (development trust)', () => {
  it('generated cards cannot reach gematik’s root: the test PKI identity is chosen from LIST PUBLIC KEY (3 round trips)', async () => {
    const id = issueServiceIdentity(pki);
    const s3 = await start(devEhcTrust({ testPki: { ...pki, service: id } }));
    try {
      const { card, run } = await check(s3.url, 'valid');
      const r = await run;
      expect(r.scenarios).toBe(3);
      expect(s3.issued[0]).toMatchObject({ patientId: card.kvnr, insurerId: card.ik });
    } finally {
      await s3.stop();
    }
  });
});
