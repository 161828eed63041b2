import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import type { CardCrypto } from '../../../lib/card-crypto/port';
import { importEcPrivateKey, nodeCardCrypto } from '../../card/crypto-node';
import { parseCvc } from '../../card/cvc/cvc';
import { type TrustAnchor, assertCvcSignature } from '../../card/cvc/verify';
import { interopDir as defaultInteropDir } from '../../testing/interop';
import type { ServiceIdentity as TestPkiServiceIdentity, TestPki } from '../../testpki/pki';
import { createChAutValidator } from './chaut-validator';
import type { EhcTrust } from './deps';

/**
 * Development trust for the eGK endpoint, never for production (the endpoint refuses
 * card tokens there anyway):
 * - gematik's test material: service CVC `80276001011699902101-cvc-flag0` (+ key) under
 *   DEGXX120223, the root DEGXX 87-02-22 as the one anchor, the DEGXX link CVCs of
 *   `atos-root-ca/` (so cards knowing an older root still get our chain), and
 *   GEM.EGK-CA51 TEST-ONLY for C.CH.AUT;
 * - the generated test PKI, in memory (`testPki`) or as written by `popp testpki --out <dir>`
 *   (`testPkiDir`): its CVC root, its X.509 eGK CA and its service CVC as a further identity,
 *   so that gematik's card image (2 round trips) and generated cards (3: they cannot reach
 *   gematik's root) both work against one service.
 */
export interface DevTrustOptions {
  /** gematik's folder (default: POPP_INTEROP_DIR or ../shared/interop/gematik). */
  interopDir?: string;
  /** Include gematik's material (default true). */
  gematik?: boolean;
  testPki?: Pick<TestPki, 'cvcRoot' | 'egkCa'> & { service?: TestPkiServiceIdentity };
  testPkiDir?: string;
  /** Further link CVCs (raw 7F21). */
  extraLinks?: Uint8Array[];
  /**
   * The first (speculative) service identity; default gematik's test service CVC, else the
   * test PKI's. `issueServiceIdentity(pki)` fits as `{ cvcChain: id.chain.map((c) => c.raw), key: id.privateKey }`.
   */
  service?: { cvcChain: Uint8Array[]; key: Uint8Array; expectedCardRoot?: Uint8Array };
  now?: () => number;
  crypto?: CardCrypto;
}

type Identity = { cvcChain: Uint8Array[]; key: Uint8Array };

const read = (...p: string[]) => new Uint8Array(readFileSync(path.join(...p)));

/** A self-signed root CVC as a trust anchor, after checking its signature. */
export function anchorFromRootCvc(raw: Uint8Array, crypto: CardCrypto = nodeCardCrypto): TrustAnchor {
  const c = parseCvc(raw);
  assertCvcSignature(crypto, c, c.publicKey.point);
  return { chr: c.chr, point: c.publicKey.point, flags: c.chat.flags };
}

/** True when `dir` holds a test PKI written by `popp testpki --out` (writeDevTrust). */
export function isTestPkiDir(dir: string): boolean {
  return existsSync(path.join(dir, 'trust.json')) && existsSync(path.join(dir, 'cvc', 'root.cvc'));
}

export function devEhcTrust(opts: DevTrustOptions = {}): EhcTrust {
  const crypto = opts.crypto ?? nodeCardCrypto;
  const now = opts.now ?? Date.now;
  const dir = opts.interopDir ?? defaultInteropDir;
  const cvcRoots: TrustAnchor[] = [];
  const cvcLinks: Uint8Array[] = [...(opts.extraLinks ?? [])];
  const cas: Uint8Array[] = [];
  const identities: Identity[] = [];
  if (opts.service) identities.push(opts.service);
  if (opts.gematik ?? true) {
    cvcRoots.push(anchorFromRootCvc(read(dir, 'cvc', 'DEGXX870222.crt'), crypto));
    const atos = path.join(dir, 'cvc', 'atos-root-ca');
    for (const f of readdirSync(atos).sort()) if (f.startsWith('DEGXX') && f.endsWith('_cross.cvc')) cvcLinks.push(read(atos, f));
    cas.push(read(dir, 'x509', 'GEM.EGK-CA51_TEST-ONLY.der'));
    identities.push({
      cvcChain: [read(dir, 'cvc', 'DEGXX120223.crt'), read(dir, 'cvc', '80276001011699902101-cvc-flag0.crt')],
      key: importEcPrivateKey(readFileSync(path.join(dir, 'cvc', '80276001011699902101-cvc-flag0.prv.pem'), 'utf8')).privateKey,
    });
  }
  if (opts.testPki) {
    cvcRoots.push(anchorFromRootCvc(opts.testPki.cvcRoot.cvc.raw, crypto));
    cas.push(opts.testPki.egkCa.der);
    const s = opts.testPki.service;
    if (s) identities.push({ cvcChain: s.chain.map((c) => c.raw), key: s.privateKey });
  }
  if (opts.testPkiDir) {
    const d = opts.testPkiDir;
    cvcRoots.push(anchorFromRootCvc(read(d, 'cvc', 'root.cvc'), crypto));
    cas.push(read(d, 'x509', 'egk-ca.der'));
    identities.push({
      cvcChain: [read(d, 'cvc', 'service-sub-ca.cvc'), read(d, 'cvc', 'service.cvc')],
      key: importEcPrivateKey(readFileSync(path.join(d, 'cvc', 'service.prv.pem'), 'utf8')).privateKey,
    });
  }
  const [first, ...more] = identities;
  if (!first) throw new Error('devEhcTrust: no service CVC identity (gematik material off and no test PKI service given)');
  return {
    cvcRoots,
    cvcLinks,
    serviceCvcChain: first.cvcChain,
    serviceKey: first.key,
    moreServiceIdentities: more,
    expectedCardRoot: opts.service?.expectedCardRoot,
    validateChAut: createChAutValidator({ cas, crypto, now }),
  };
}
