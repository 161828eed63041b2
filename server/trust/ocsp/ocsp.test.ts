import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { interopAvailable, interopPath } from '../../testing/interop';
import { isTrustError } from '../errors';
import { OID } from '../oids';
import { issueCertificate, makeEgkPki } from '../testing/certs';
import { gematikSnapshot } from '../testing/fixtures';
import { OcspChecker } from './checker';
import { OfflineOcspPolicy, type OfflineOcspUse } from './offline-policy';
import { OcspResponder, listenOcspResponder, type RunningResponder } from './responder';
import { parseOcspResponse } from './response';
import { verifyOcspResponse } from './verify';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

async function codeOf(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    return isTrustError(e) ? e.code : `not a TrustError: ${String(e)}`;
  }
  return 'nothing thrown';
}

describe('OCSP against the local test responder', () => {
  let now = NOW;
  const pki = makeEgkPki(NOW);
  const responder = new OcspResponder({ issuer: pki.ca, now: () => now });
  let running: RunningResponder;
  const good = pki.chAut();
  const revoked = pki.chAut();
  const unknown = pki.chAut();
  responder.register(good.cert);
  responder.register(revoked.cert, { status: 'revoked', revocationTime: new Date(NOW.getTime() - DAY) });

  beforeAll(async () => {
    running = await listenOcspResponder(responder);
  });
  afterAll(() => running.close());
  beforeEach(() => {
    now = NOW;
    responder.setMode('normal');
  });

  const input = (cert = good.cert, urls?: string[]) => ({ cert, ca: { cert: pki.ca.cert, ocspUrls: urls ?? [running.url] }, now });

  it('good, revoked (79117) and unknown (79117) from the CA-signed responder', async () => {
    const checker = new OcspChecker();
    const out = await checker.check(input());
    expect(out).toMatchObject({ status: 'good', source: 'live', responder: { authority: 'ca' } });
    expect(await codeOf(checker.check(input(revoked.cert)))).toBe('OCSP_REVOKED');
    expect(await codeOf(checker.check(input(unknown.cert)))).toBe('OCSP_UNKNOWN');
  });

  it('the test responder answers a GET with a broken %-escape with 400 instead of throwing', async () => {
    const r = await fetch(`${running.url}/%`);
    expect(r.status).toBe(400);
  });

  it('caches until nextUpdate, then asks again', async () => {
    const checker = new OcspChecker();
    const before = responder.requests;
    await checker.check(input());
    expect((await checker.check(input())).source).toBe('cache');
    expect(responder.requests - before).toBe(1);
    now = new Date(NOW.getTime() + 3_600_000 + 1);
    expect((await checker.check(input())).source).toBe('live');
    expect(responder.requests - before).toBe(2);
  });

  it('maps every failure of the responder to its code', async () => {
    const cases: [Parameters<OcspResponder['setMode']>[0], string][] = [
      ['down', 'OCSP_UNREACHABLE'],
      ['http-error', 'OCSP_RESPONDER_ERROR'],
      ['try-later', 'OCSP_RESPONDER_ERROR'],
      ['forged', 'OCSP_SIGNATURE_INVALID'],
      ['stranger', 'OCSP_RESPONDER_UNTRUSTED'],
      ['stale', 'OCSP_STALE'],
      ['other-cert', 'OCSP_CERTID_MISMATCH'],
      ['wrong-nonce', 'OCSP_NONCE_MISMATCH'],
      ['garbage', 'OCSP_RESPONSE_MALFORMED'],
    ];
    for (const [mode, code] of cases) {
      responder.setMode(mode);
      expect([mode, await codeOf(new OcspChecker({ cache: false }).check(input()))]).toEqual([mode, code]);
    }
  });

  it('aborts a slow responder at the deadline (79113)', async () => {
    responder.setMode('slow', 800);
    const started = performance.now();
    expect(await codeOf(new OcspChecker({ timeoutMs: 150 }).check(input()))).toBe('OCSP_TIMEOUT');
    expect(performance.now() - started).toBeLessThan(700);
  });

  it('reports a closed port as unreachable and a missing address as no responder', async () => {
    expect(await codeOf(new OcspChecker().check(input(good.cert, ['http://127.0.0.1:1/ocsp'])))).toBe('OCSP_UNREACHABLE');
    expect(await codeOf(new OcspChecker().check(input(good.cert, [])))).toBe('OCSP_NO_RESPONDER');
  });

  it('takes the TSL address first and the AIA only as fallback', async () => {
    const withAia = pki.chAut({ ocspUrl: running.url });
    responder.register(withAia.cert);
    const wrongAia = pki.chAut({ ocspUrl: 'http://127.0.0.1:1/never' });
    responder.register(wrongAia.cert);
    expect(OcspChecker.urlFor(input(wrongAia.cert))).toBe(running.url);
    expect((await new OcspChecker().check(input(wrongAia.cert))).status).toBe('good');
    expect((await new OcspChecker().check(input(withAia.cert, []))).url).toBe(running.url);
  });

  it('uses a SHA-256 CertID where configured', async () => {
    const out = await new OcspChecker({ hash: 'sha256', cache: false }).check(input());
    expect(out.status).toBe('good');
  });

  it('accepts a delegated responder with id-kp-OCSPSigning, refuses one without', async () => {
    const make = (eku: string[]) =>
      issueCertificate({
        subject: [['C', 'DE'], ['CN', `popp OCSP ${eku.length}`]],
        issuer: pki.ca,
        notBefore: new Date(NOW.getTime() - DAY),
        notAfter: new Date(NOW.getTime() + 100 * DAY),
        keyUsage: ['digitalSignature'],
        extKeyUsage: eku,
      });
    for (const [signer, expected] of [
      [make([OID.kpOcspSigning]), 'delegated'],
      [make([]), 'OCSP_RESPONDER_UNTRUSTED'],
    ] as const) {
      const r = new OcspResponder({ issuer: pki.ca, signer, now: () => now });
      r.register(good.cert);
      const srv = await listenOcspResponder(r);
      try {
        const res = new OcspChecker({ cache: false }).check(input(good.cert, [srv.url]));
        if (expected === 'delegated') expect((await res).responder.authority).toBe('delegated');
        else expect(await codeOf(res)).toBe(expected);
      } finally {
        await srv.close();
      }
    }
  });
});

describe.skipIf(!interopAvailable())("gematik's sample OCSP response (SMC-B, TSYSI.SMCB-CA5)", () => {
  const der = readFileSync(interopPath('x509/sample-ocsp-response.der'));
  const snapshot = gematikSnapshot(NOW);
  const ca = snapshot.cas.find((c) => c.cert.subjectCn === 'TSYSI.SMCB-CA5 TEST-ONLY')!.cert;
  const target = { issuer: ca, serial: Uint8Array.of(0x01, 0x91) };
  const parsed = parseOcspResponse(der);

  it('parses: good, CertHash, nonce, signed by a TSL-listed responder', () => {
    const r = verifyOcspResponse(parsed, target, { now: new Date('2025-03-05T00:00:00Z'), tslResponders: snapshot.ocspResponders });
    expect(r).toMatchObject({ status: 'good', responder: { cn: 'TSYSI.SMCB-OCSP-Signer5 TEST-ONLY', authority: 'tsl' } });
    expect(parsed.basic?.responses[0]?.certHash?.hash).toBe('sha256');
    expect(parsed.basic?.nonce?.length).toBe(16);
  });

  it('is also authorized as a delegated responder of TSYSI.SMCB-CA5 without the TSL list', () => {
    const r = verifyOcspResponse(parsed, target, { now: new Date('2025-03-05T00:00:00Z') });
    expect(r.responder.authority).toBe('delegated');
  });

  it('is stale now (nextUpdate 2025-03-09), and belongs to no other serial', () => {
    const stale = () => verifyOcspResponse(parsed, target, { now: NOW, tslResponders: snapshot.ocspResponders });
    expect(stale).toThrowError(expect.objectContaining({ code: 'OCSP_STALE' }));
    const other = () => verifyOcspResponse(parsed, { ...target, serial: Uint8Array.of(0x01, 0x92) }, { now: new Date('2025-03-05T00:00:00Z') });
    expect(other).toThrowError(expect.objectContaining({ code: 'OCSP_CERTID_MISMATCH' }));
  });

  it('refuses truncated bytes', () => {
    expect(() => parseOcspResponse(der.subarray(0, der.length - 10))).toThrowError(expect.objectContaining({ code: 'OCSP_RESPONSE_MALFORMED' }));
  });
});

describe('offline OCSP policy', () => {
  const pki = makeEgkPki(NOW);
  const card = pki.chAut();

  it('is refused as configuration in production', () => {
    expect(() => new OfflineOcspPolicy([{ caCommonName: 'GEM.EGK-CA51 TEST-ONLY', reason: 'gematik test card' }], 'production')).toThrowError(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    );
  });

  it('applies to its anchor only, records each use, and never to non-test CAs', () => {
    const uses: OfflineOcspUse[] = [];
    const policy = new OfflineOcspPolicy([{ caCommonName: pki.ca.cert.subjectCn, reason: 'responder unreachable here' }], 'development');
    expect(policy.applies(pki.ca.cert, card.cert, NOW, (u) => uses.push(u))).toBe(true);
    expect(uses).toEqual([expect.objectContaining({ event: 'trust.ocsp-offline-policy', serial: card.cert.serialHex, reason: 'responder unreachable here' })]);
    expect(policy.applies(makeEgkPki(NOW, { caName: 'OTHER TEST-ONLY' }).ca.cert, card.cert, NOW)).toBe(false);
    const prodCa = makeEgkPki(NOW, { caName: 'EGK-CA9' });
    const bad = new OfflineOcspPolicy([{ caCommonName: 'EGK-CA9', reason: 'not allowed' }], 'development');
    expect(() => bad.applies(prodCa.ca.cert, card.cert, NOW)).toThrowError(expect.objectContaining({ code: 'OCSP_OFFLINE_POLICY_REFUSED' }));
  });
});
