import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toHex } from '../../lib/bytes/hex';
import { describeKeyRef } from '../card/cvc/cvc';
import { formatCvcDate } from '../card/cvc/date';
import { exportEcPrivateKeyPem, exportEcPublicKeyPem } from '../card/crypto-node';
import { type CardState, createTestPki, issueCard, issueServiceIdentity } from './pki';

export interface DevTrustSummary {
  dir: string;
  files: string[];
  cards: number;
}

const STATES: CardState[] = ['expired', 'not-yet-valid', 'foreign-root', 'wrong-chat', 'tampered-cvc', 'tampered-ch-aut'];

/**
 * Writes a development trust setup: CVC root and sub-CAs, the service CVC with its key,
 * the X.509 eGK root/CA, `validCards` valid software cards plus one card per failure state,
 * and trust.json indexing it all. Everything is TEST-ONLY material.
 */
export function writeDevTrust(dir: string, opts: { validCards?: number; now?: Date; ocspUrl?: string } = {}): DevTrustSummary {
  const pki = createTestPki({ now: opts.now, ocspUrl: opts.ocspUrl });
  const service = issueServiceIdentity(pki);
  const files: string[] = [];
  const put = (rel: string, data: Uint8Array | string) => {
    const p = path.join(dir, rel);
    mkdirSync(path.dirname(p), { recursive: true });
    writeFileSync(p, data, typeof data === 'string' ? { encoding: 'utf8', mode: rel.endsWith('.prv.pem') ? 0o600 : 0o644 } : { mode: 0o644 });
    files.push(rel);
  };
  put('cvc/root.cvc', pki.cvcRoot.cvc.raw);
  put('cvc/card-sub-ca.cvc', pki.cardSubCa.cvc.raw);
  put('cvc/service-sub-ca.cvc', pki.serviceSubCa.cvc.raw);
  put('cvc/service.cvc', service.cvc.raw);
  put('cvc/service.prv.pem', exportEcPrivateKeyPem('brainpoolP256r1', service.privateKey));
  put('cvc/service.pub.pem', exportEcPublicKeyPem('brainpoolP256r1', service.cvc.publicKey.point));
  put('cvc/foreign-root.cvc', pki.foreignRoot.cvc.raw);
  // CA keys let a developer issue more cards later; they sign nothing outside this test PKI.
  put('ca-keys/cvc-root.prv.pem', exportEcPrivateKeyPem('brainpoolP256r1', pki.cvcRoot.key.privateKey));
  put('ca-keys/cvc-card-sub-ca.prv.pem', exportEcPrivateKeyPem('brainpoolP256r1', pki.cardSubCa.key.privateKey));
  put('ca-keys/egk-ca.prv.pem', exportEcPrivateKeyPem('brainpoolP256r1', pki.egkCa.key.privateKey));
  put('x509/egk-root.der', pki.x509Root.der);
  put('x509/egk-ca.der', pki.egkCa.der);
  const cards = [
    ...Array.from({ length: opts.validCards ?? 3 }, () => issueCard(pki, { state: 'valid' })),
    ...STATES.map((state) => issueCard(pki, { state })),
  ];
  const index = cards.map((c, i) => {
    const file = `cards/card-${String(i + 1).padStart(2, '0')}-${c.state}.xml`;
    put(file, c.xml);
    return { file, state: c.state, kvnr: c.kvnr, ik: c.ik, iccsn: toHex(c.iccsn), cvcChr: toHex(c.cvc.chr), cvcExpires: formatCvcDate(c.cvc.expirationDate) };
  });
  put(
    'trust.json',
    `${JSON.stringify(
      {
        note: 'popp test PKI - TEST ONLY, never trust in production',
        createdAt: pki.now.toISOString(),
        cvcTrustAnchors: [{ chr: toHex(pki.cvcRoot.cvc.chr), name: describeKeyRef(pki.cvcRoot.cvc.chr), publicKey: toHex(pki.cvcRoot.cvc.publicKey.point) }],
        service: { chr: toHex(service.cvc.chr), cvc: 'cvc/service.cvc', key: 'cvc/service.prv.pem', chain: ['cvc/root.cvc', 'cvc/service-sub-ca.cvc', 'cvc/service.cvc'] },
        x509: { root: 'x509/egk-root.der', egkCa: 'x509/egk-ca.der', ocspUrl: pki.ocspUrl },
        cards: index,
      },
      null,
      2,
    )}\n`,
  );
  return { dir, files, cards: cards.length };
}
