import { describe, expect, it } from 'vitest';
import { interopAvailable } from '../../testing/interop';
import { isTrustError } from '../errors';
import { OID } from '../oids';
import { issueCertificate, makeEgkPki } from '../testing/certs';
import { cardImageFile, gematikSnapshot, generatedSnapshot } from '../testing/fixtures';
import { validateChAutPath } from './path';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    return isTrustError(e) ? e.code : `not a TrustError: ${String(e)}`;
  }
  return 'nothing thrown';
}

describe.skipIf(!interopAvailable())('gematik test card', () => {
  const snapshot = gematikSnapshot(NOW);
  const chAut = cardImageFile('EF.C.CH.AUT.E256');

  it('validates CH.AUT → GEM.EGK-CA51 TEST-ONLY → GEM.RCA5 TEST-ONLY', () => {
    const r = validateChAutPath(chAut, snapshot, { now: NOW });
    expect(r.ca.cert.subjectCn).toBe('GEM.EGK-CA51 TEST-ONLY');
    expect(r.root.cn).toBe('GEM.RCA5 TEST-ONLY');
    expect(r.chAut.curveOid).toBe(OID.brainpoolP256r1);
    expect(r.chAut.ocspUrls()).toEqual(['http://ehca.gematik.de/ocsp/']);
  });

  it('is refused after 2028-09-19 and with a flipped signature bit', () => {
    expect(codeOf(() => validateChAutPath(chAut, snapshot, { now: new Date('2028-09-20T00:00:00Z') }))).toBe('CERT_EXPIRED');
    const bad = chAut.slice();
    bad[bad.length - 5]! ^= 0x01;
    expect(codeOf(() => validateChAutPath(bad, snapshot, { now: NOW }))).toBe('CERT_SIGNATURE_INVALID');
    expect(codeOf(() => validateChAutPath(chAut.slice(0, 300), snapshot, { now: NOW }))).toBe('CERT_MALFORMED');
  });
});

describe('generated cards', () => {
  const pki = makeEgkPki(NOW);
  const snapshot = generatedSnapshot(pki, { now: NOW });

  it('accepts a well-formed card', () => {
    const card = pki.chAut();
    expect(validateChAutPath(card.cert.der, snapshot, { now: NOW }).root.cert.subjectCn).toBe('POPP.RCA1 TEST-ONLY');
  });

  it('refuses expired, not yet valid, wrong policy, wrong key usage, CA flag and unknown critical extensions', () => {
    const cases: [string, Parameters<typeof pki.chAut>[0]][] = [
      ['CERT_EXPIRED', { notBefore: new Date(NOW.getTime() - 100 * DAY), notAfter: new Date(NOW.getTime() - DAY) }],
      ['CERT_NOT_YET_VALID', { notBefore: new Date(NOW.getTime() + DAY) }],
      ['CERT_POLICY', { policies: [OID.gematikPolicy, '1.2.276.0.76.4.71'] }],
      ['CERT_KEY_USAGE', { keyUsage: ['keyEncipherment'] }],
      ['CERT_KEY_USAGE', { keyUsage: ['digitalSignature', 'nonRepudiation'] }],
      ['CERT_KEY_USAGE', { ca: {} }],
      ['CERT_UNKNOWN_CRITICAL_EXTENSION', { extra: [{ oid: '1.2.3.4.5', critical: true, value: Uint8Array.of(5, 0) }] }],
    ];
    for (const [code, spec] of cases) expect(codeOf(() => validateChAutPath(pki.chAut(spec).cert.der, snapshot, { now: NOW }))).toBe(code);
  });

  it('refuses a card from a CA that is not in the TSL, even one with the same name', () => {
    const other = makeEgkPki(NOW); // same names, other keys
    expect(codeOf(() => validateChAutPath(other.chAut().cert.der, snapshot, { now: NOW }))).toBe('CERT_SIGNATURE_INVALID');
    const stranger = makeEgkPki(NOW, { caName: 'EVIL.EGK-CA TEST-ONLY' });
    expect(codeOf(() => validateChAutPath(stranger.chAut().cert.der, snapshot, { now: NOW }))).toBe('CERT_UNKNOWN_CA');
  });

  it('refuses a CA the TSL does not allow to issue oid_egk_aut, or revoked before issuance', () => {
    const card = pki.chAut();
    const hba = generatedSnapshot(pki, { now: NOW, caService: { extensionOids: ['1.2.276.0.76.4.75'] } });
    expect(codeOf(() => validateChAutPath(card.cert.der, hba, { now: NOW }))).toBe('CERT_CA_NOT_AUTHORIZED');
    const revoked = generatedSnapshot(pki, { now: NOW, caService: { status: 'revoked', statusStartingTime: new Date(NOW.getTime() - 60 * DAY) } });
    expect(codeOf(() => validateChAutPath(card.cert.der, revoked, { now: NOW }))).toBe('CERT_CA_REVOKED');
    const revokedLater = generatedSnapshot(pki, { now: NOW, caService: { status: 'revoked', statusStartingTime: new Date(NOW.getTime() - DAY) } });
    expect(validateChAutPath(card.cert.der, revokedLater, { now: NOW }).ca.status).toMatch(/revoked$/);
  });

  it('refuses a TSL CA that no TI root issued', () => {
    const selfMadeCa = issueCertificate({
      subject: [['C', 'DE'], ['CN', 'ROGUE.EGK-CA TEST-ONLY']],
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 100 * DAY),
      ca: {},
      keyUsage: ['keyCertSign'],
    });
    const rogue = { ...pki, ca: selfMadeCa };
    const snap = generatedSnapshot(rogue, { now: NOW });
    const card = issueCertificate({
      subject: [['CN', 'x']],
      issuer: selfMadeCa,
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + DAY),
      keyUsage: ['digitalSignature'],
      policies: [OID.egkAut],
    });
    expect(codeOf(() => validateChAutPath(card.cert.der, snap, { now: NOW }))).toBe('CERT_PATH_INVALID');
  });
});
