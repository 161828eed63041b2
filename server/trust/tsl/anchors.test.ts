import { describe, expect, it } from 'vitest';
import { validateChAutPath } from '../x509/path';
import { makeEgkPki } from '../testing/certs';
import { generatedSnapshot } from '../testing/fixtures';
import { ConfiguredAnchors, combineTrust } from './anchors';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('configured anchors beside the TSL', () => {
  const tslPki = makeEgkPki(NOW);
  const own = makeEgkPki(NOW, { caName: 'TSTPP.EGK-CA TEST-ONLY' });
  const snapshot = generatedSnapshot(tslPki, { now: NOW, ocspUrl: 'http://tsl.example/ocsp' });
  const anchors = new ConfiguredAnchors([{ ca: own.ca.cert, root: own.root.cert, ocspUrls: ['http://127.0.0.1:3000/dev/ocsp/'] }], 'development');
  const view = combineTrust({ current: () => snapshot }, anchors).current(NOW);

  it('validates cards of both sources, each CA to its own root and with its own OCSP address', () => {
    const a = validateChAutPath(tslPki.chAut().cert.der, view, { now: NOW });
    const b = validateChAutPath(own.chAut().cert.der, view, { now: NOW });
    expect([a.root.cn, a.ca.ocspUrls]).toEqual(['POPP.RCA1 TEST-ONLY', ['http://tsl.example/ocsp']]);
    expect([b.ca.cert.subjectCn, b.ca.ocspUrls]).toEqual(['TSTPP.EGK-CA TEST-ONLY', ['http://127.0.0.1:3000/dev/ocsp/']]);
    expect(b.root.cert.fingerprint256).toBe(own.root.cert.fingerprint256);
    expect(view.info.sequenceNumber).toBe(snapshot.info.sequenceNumber);
  });

  it('still refuses a card of neither source and a card of the anchor CA without oid_egk_aut', () => {
    expect(() => validateChAutPath(makeEgkPki(NOW, { caName: 'OTHER.EGK-CA TEST-ONLY' }).chAut().cert.der, view, { now: NOW })).toThrowError(
      expect.objectContaining({ code: 'CERT_UNKNOWN_CA' }),
    );
    const narrow = new ConfiguredAnchors([{ ca: own.ca.cert, root: own.root.cert, certificateTypes: ['1.2.276.0.76.4.77'] }], 'test');
    expect(() => validateChAutPath(own.chAut().cert.der, combineTrust(null, narrow).current(NOW), { now: NOW })).toThrowError(
      expect.objectContaining({ code: 'CERT_CA_NOT_AUTHORIZED' }),
    );
  });

  it('refuses anchors in production, a CA its root did not issue, and no source at all', () => {
    expect(() => new ConfiguredAnchors([{ ca: own.ca.cert, root: own.root.cert }], 'production')).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => new ConfiguredAnchors([{ ca: own.ca.cert, root: tslPki.root.cert }], 'development')).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }));
    expect(() => combineTrust(null, null)).toThrowError(expect.objectContaining({ code: 'CONFIG_INVALID' }));
  });

  it('stops with the TSL: an expired list refuses anchor cards too', () => {
    const expired = combineTrust(
      {
        current: () => {
          throw Object.assign(new Error('TSL abgelaufen'), { code: 'TSL_UNAVAILABLE' });
        },
      },
      anchors,
    );
    expect(() => expired.current(NOW)).toThrowError(expect.objectContaining({ code: 'TSL_UNAVAILABLE' }));
  });
});
