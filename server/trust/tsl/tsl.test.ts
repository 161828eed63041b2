import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { interopAvailable, interopPath } from '../../testing/interop';
import { isTrustError } from '../errors';
import { OID } from '../oids';
import { generateKey, issueCertificate, makeEgkPki, type Issued } from '../testing/certs';
import { buildSignedTsl, buildTslXml, signTslXml } from '../testing/tsl-builder';
import { loadTsl, OID_TSL_SIGNING, type TslSignerPin } from './load';
import { parseRootsJson } from './roots';

const NOW = new Date('2026-03-01T12:00:00Z');
const DAY = 86_400_000;

function expectCode(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (e) {
    expect(isTrustError(e) ? e.code : e).toBe(code);
    return;
  }
  throw new Error(`expected ${code}, nothing thrown`);
}

describe.skipIf(!interopAvailable())('gematik test TSL', () => {
  const xml = readFileSync(interopPath('tsl/TSL-valid-ECC-rise-cvc.xml'), 'utf8');
  const roots = parseRootsJson(readFileSync(interopPath('tsl/roots.json'), 'utf8'));
  // The signer certificate gematik embeds; its CA is not published, so tests pin the certificate.
  const signerB64 = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)![1]!;
  const signerSha = createHash('sha256').update(Buffer.from(signerB64, 'base64')).digest('hex');
  const pin: TslSignerPin = { kind: 'certificate', sha256: [signerSha] };

  it('verifies, is pinned and lists GEM.EGK-CA51 with oid_egk_aut, OCSP services and CVC roots', () => {
    const snap = loadTsl(xml, { pin, roots, now: NOW });
    expect(snap.info.sequenceNumber).toBe(1771857729987n);
    expect(snap.info.signerCn).toBe('tsl0.ti.test2_TSL_GEM.TSL.CA1_256r1');
    expect(snap.info.nextUpdate.toISOString()).toBe('2029-02-23T14:42:10.000Z');
    const ca51 = snap.cas.find((c) => c.cert.subjectCn === 'GEM.EGK-CA51 TEST-ONLY');
    expect(ca51?.certificateTypes).toContain(OID.egkAut);
    expect(ca51?.ocspUrls[0]).toMatch(/^http:\/\//);
    expect(snap.ocspResponders.length).toBeGreaterThan(10);
    expect(snap.cvcRoots.length).toBe(86);
    expect(snap.skipped).toEqual([]);
  });

  it('refuses the same TSL with one CA name changed', () => {
    const bad = xml.replace('CN=GEM.EGK-CA51 TEST-ONLY,OU', 'CN=GEM.EGK-CA52 TEST-ONLY,OU');
    expect(bad).not.toBe(xml);
    expectCode(() => loadTsl(bad, { pin, roots, now: NOW }), 'TSL_SIGNATURE_INVALID');
  });

  it('refuses the same TSL with one byte of the signature value changed', () => {
    const bad = xml.replace(/(<ds:SignatureValue[^>]*>)(.)/, (_m, a: string, c: string) => a + (c === 'A' ? 'B' : 'A'));
    expectCode(() => loadTsl(bad, { pin, roots, now: NOW }), 'TSL_SIGNATURE_INVALID');
  });

  it('refuses it past NextUpdate and when another signer is pinned', () => {
    expectCode(() => loadTsl(xml, { pin, roots, now: new Date('2029-02-24T00:00:00Z') }), 'TSL_EXPIRED');
    expectCode(() => loadTsl(xml, { pin: { kind: 'certificate', sha256: ['00'.repeat(32)] }, roots, now: NOW }), 'TSL_SIGNER_UNTRUSTED');
  });

  it('reads roots.json: GEM.RCA5 TEST-ONLY is self-signed and has links', () => {
    const rca5 = roots.find((r) => r.cn === 'GEM.RCA5 TEST-ONLY');
    expect(rca5?.links.length).toBe(2);
    expect(rca5?.cert.curveOid).toBe(OID.brainpoolP256r1);
  });
});

describe('generated TSLs', () => {
  const pki = makeEgkPki(NOW);
  const roots = [{ cn: pki.root.cert.subjectCn!, cert: pki.root.cert, links: [] }];
  const tslCa = issueCertificate({
    subject: [['C', 'DE'], ['CN', 'POPP.TSL-CA1 TEST-ONLY']],
    notBefore: new Date(NOW.getTime() - DAY),
    notAfter: new Date(NOW.getTime() + 900 * DAY),
    ca: { pathLen: 0 },
    keyUsage: ['keyCertSign'],
  });
  const signer = (o: { eku?: string[] } = {}): Issued =>
    issueCertificate({
      subject: [['C', 'DE'], ['CN', 'popp tsl signer TEST-ONLY']],
      issuer: tslCa,
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 300 * DAY),
      keyUsage: ['nonRepudiation'],
      extKeyUsage: o.eku ?? [OID_TSL_SIGNING],
    });
  const spec = {
    sequenceNumber: 5,
    issued: new Date(NOW.getTime() - DAY),
    nextUpdate: new Date(NOW.getTime() + 30 * DAY),
    services: [{ type: 'ca' as const, name: 'POPP.EGK-CA1', cert: pki.ca.cert, supplyPoints: ['http://127.0.0.1:1/ocsp'], extensionOids: [OID.egkAut] }],
  };

  it('accepts a list signed below the pinned TSL CA, refuses a signer without the TSL key purpose', () => {
    const snap = loadTsl(buildSignedTsl(spec, signer()), { pin: { kind: 'ca', cas: [tslCa.cert] }, roots, now: NOW });
    expect(snap.cas[0]?.ocspUrls).toEqual(['http://127.0.0.1:1/ocsp']);
    expectCode(() => loadTsl(buildSignedTsl(spec, signer({ eku: [OID.kpOcspSigning] })), { pin: { kind: 'ca', cas: [tslCa.cert] }, roots, now: NOW }), 'TSL_SIGNER_UNTRUSTED');
  });

  it('refuses a list signed by a self-made signer with the same name', () => {
    const fake = issueCertificate({
      subject: [['C', 'DE'], ['CN', 'POPP.TSL-CA1 TEST-ONLY']],
      key: generateKey(),
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 900 * DAY),
      ca: {},
    });
    const fakeSigner = issueCertificate({
      subject: [['C', 'DE'], ['CN', 'popp tsl signer TEST-ONLY']],
      issuer: fake,
      notBefore: new Date(NOW.getTime() - DAY),
      notAfter: new Date(NOW.getTime() + 300 * DAY),
      extKeyUsage: [OID_TSL_SIGNING],
    });
    expectCode(() => loadTsl(buildSignedTsl(spec, fakeSigner), { pin: { kind: 'ca', cas: [tslCa.cert] }, roots, now: NOW }), 'TSL_SIGNER_UNTRUSTED');
  });

  it('refuses a second signature, a moved signature and an unsigned list', () => {
    const s = signer();
    const signed = buildSignedTsl(spec, s);
    const pin: TslSignerPin = { kind: 'ca', cas: [tslCa.cert] };
    expectCode(() => loadTsl(buildTslXml(spec), { pin, roots, now: NOW }), 'TSL_SIGNATURE_INVALID');
    expectCode(() => loadTsl(signTslXml(signed, s), { pin, roots, now: NOW }), 'TSL_SIGNATURE_INVALID');
    const sig = /<ds:Signature[\s\S]*<\/ds:Signature>/.exec(signed)![0];
    const moved = signed.replace(sig, '').replace('<SchemeInformation>', `<SchemeInformation>${sig}`);
    expectCode(() => loadTsl(moved, { pin, roots, now: NOW }), 'TSL_SIGNATURE_INVALID');
    expectCode(() => loadTsl('<not-xml', { pin, roots, now: NOW }), 'TSL_MALFORMED');
  });
});
