/**
 * PoPP token verification throughput against the floor it cannot beat: one raw ES256
 * crypto.verify of the same token with the same key. The ratio is the price of everything the
 * verifier adds (strict parsing, header rules, issuer and key lookup, claim schema, profile).
 */
import { verify as cryptoVerify } from 'node:crypto';
import { createVerifier } from '../server/verifier';
import { createTestIssuer } from '../server/verifier/testing/issuer';
import { opsPerSecond, type BenchSection } from './types';

export default async function (): Promise<BenchSection> {
  const iss = await createTestIssuer({ issuer: 'https://popp.bench.test' });
  const verifier = createVerifier({ issuers: [{ iss: iss.issuer, trustAnchors: [iss.caPem], fetch: iss.fetch }] });
  const token = await iss.token();
  const first = await verifier.verify(token, { profile: 'vsdm' }); // loads and caches the issuer keys
  if (!first.ok) throw new Error(`bench token refused: ${first.code}`);

  const [h, p, s] = token.split('.');
  const input = Buffer.from(`${h}.${p}`);
  const sig = Buffer.from(s, 'base64url');
  const key = iss.ks.current().privateKey;
  const publicKey = (await import('node:crypto')).createPublicKey(key);
  const raw = () => {
    if (!cryptoVerify('sha256', input, { key: publicKey, dsaEncoding: 'ieee-p1363' }, sig)) throw new Error('raw verify failed');
  };
  const full = async () => {
    const r = await verifier.verify(token, { profile: 'vsdm' });
    if (!r.ok) throw new Error(r.code);
  };

  const rows: BenchSection['rows'] = [];
  for (const concurrency of [1, 16]) {
    // Same shape for both: `concurrency` operations in flight per round.
    const batch = (fn: () => unknown) => () => Promise.all(Array.from({ length: concurrency }, async () => fn()));
    const base = (await opsPerSecond(batch(raw))) * concurrency;
    const value = (await opsPerSecond(batch(full))) * concurrency;
    rows.push({
      name: `verify() profile vsdm, concurrency ${concurrency}`,
      value,
      unit: 'verifications/s',
      baseline: { name: `raw crypto.verify ES256, concurrency ${concurrency}`, value: base, unit: 'verifications/s' },
      ratio: value / base,
    });
  }
  return {
    title: 'PoPP token verification',
    notes: [
      'Same token, same P-256 key, same number of operations in flight; the issuer keys are cached (no network in the loop).',
      'Ratio = verifier / raw signature check: 1.0 would mean the rules cost nothing beyond ECDSA itself.',
      'crypto.verify runs synchronously on the event loop in both cases, so concurrency adds no parallelism here.',
    ],
    rows,
  };
}
