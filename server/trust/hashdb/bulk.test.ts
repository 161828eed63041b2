import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { makeImportSigner, signImport } from '../testing/cms-builder';
import { verifySignedImport } from './cms';
import { encodeEContent, parseEContent } from './econtent';

describe('bulk hash-DB import files', () => {
  // gematik's sample files hold one entry each; a card issuer's real file holds 100,000s and
  // is larger than asn1js's default 16 MiB / 10,000 nodes, which once refused every such file.
  it('verifies and parses 200,000 entries (> 16 MiB) in one signed file', () => {
    const now = new Date();
    const { ca, signer } = makeImportSigner(now);
    const h = (s: string) => createHash('sha256').update(s).digest('hex');
    const n = 200_000;
    const eContent = encodeEContent(Array.from({ length: n }, (_, i) => ({ action: 'import' as const, hashAut: h(`a${i}`), hashCvc: h(`c${i}`), notAfter: new Date('2030-01-01T00:00:00Z') })));
    const file = signImport(eContent, signer);
    expect(file.length).toBeGreaterThan(16 << 20);
    const v = verifySignedImport(file, { pins: [{ label: 'test', ca: ca.cert, role: '1.2.276.0.76.4.325' }], now, maxBytes: 64 << 20 });
    const entries = parseEContent(v.eContent);
    expect(entries).toHaveLength(n);
    expect(entries[n - 1].hashCvc).toBe(h(`c${n - 1}`));
  }, 60_000);
});
