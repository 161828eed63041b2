import { toHex } from '../../../lib/bytes/hex';
import type { CardCrypto } from '../../../lib/card-crypto/port';
import { certificatesToImport } from '../../card/cvc/chain';
import { type Cvc, parseCvc } from '../../card/cvc/cvc';
import { type CvcDate, dateKey } from '../../card/cvc/date';
import { type TrustAnchor, verifyChain } from '../../card/cvc/verify';
import type { EhcTrust, EhcTrustContext } from './deps';
import { EhcError } from './errors';

/**
 * EhcTrust parsed and checked once per endpoint, plus the one cache that keeps the
 * service's brainpool work at the floor: a card's sub-CA CVC is shared by millions
 * of cards, so its path to a root is verified once (signatures) and only its dates
 * are re-checked per session. The end-entity CVC is verified every time.
 */
/** One CVC identity of the service: its chain (top-down), end entity and key. */
export interface ServiceIdentity {
  chain: Cvc[];
  ee: Cvc;
  key: Uint8Array;
}

export interface PreparedTrust {
  anchors: TrustAnchor[];
  links: Cvc[];
  /** The first is used speculatively; the others only when a card cannot reach it. */
  identities: ServiceIdentity[];
  /** What scenario 1 imports: the path from `expectedCardRoot` to the first identity's end entity. */
  speculativeImport: Cvc[];
  validateChAut(der: Uint8Array, ctx: EhcTrustContext): Promise<unknown>;
  /** hex(sub-CA CVC) → the dates within which its verified path stays valid. */
  caPaths: Map<string, { notBefore: number; notAfter: number }>;
}

const CA_CACHE_MAX = 512;

export function prepareTrust(trust: EhcTrust): PreparedTrust {
  const fail = (message: string): never => {
    throw new EhcError('internal', `eGK trust configuration: ${message}`);
  };
  const identity = (raw: Uint8Array[], key: Uint8Array): ServiceIdentity => {
    const chain = raw.map((c) => parseCvc(c));
    if (chain.length === 0) fail('a service CVC chain is empty');
    const ee = chain[chain.length - 1];
    if (ee.role !== 'end-entity') fail('the last CVC of a service chain is not an end entity');
    if (ee.chat.flags.some((b) => b !== 0)) fail('the service end-entity CVC must carry the null flag list');
    if (key.length !== 32) fail('a service key must be a 32-byte brainpoolP256r1 scalar');
    return { chain, ee, key };
  };
  const identities = [
    identity(trust.serviceCvcChain, trust.serviceKey),
    ...(trust.moreServiceIdentities ?? []).map((i) => identity(i.cvcChain, i.key)),
  ];
  const first = identities[0];
  const links = trust.cvcLinks.map((c) => parseCvc(c));
  const root = trust.expectedCardRoot ?? first.chain.find((c) => c.role !== 'root-ca')?.car ?? first.ee.car;
  const speculativeImport = certificatesToImport(first.ee, [...links, ...first.chain], [root]);
  if (!speculativeImport || speculativeImport.length === 0) fail('no path from expectedCardRoot to the service end entity');
  return {
    anchors: trust.cvcRoots,
    links,
    identities,
    speculativeImport: speculativeImport!,
    validateChAut: trust.validateChAut,
    caPaths: new Map(),
  };
}

/**
 * The card's chain: sub-CA (EF.C.CA_eGK.CS.E256) to a trusted root, via link CVCs if
 * needed (79514 when that fails), then the card's end-entity CVC under the sub-CA
 * (79116). Dates are judged by `today`, signatures by the crypto port.
 */
export function checkCardChain(crypto: CardCrypto, trust: PreparedTrust, ca: Cvc, ee: Cvc, today: CvcDate): void {
  const day = dateKey(today);
  if (ca.role !== 'sub-ca') throw new EhcError('card-ca-cvc-invalid', 'card CA CVC is not a sub-CA');
  if (ee.role !== 'end-entity') throw new EhcError('card-cvc-invalid', 'card CVC is not an end entity');
  const key = toHex(ca.raw);
  let path = trust.caPaths.get(key);
  if (!path) {
    const chain = certificatesToImport(ca, trust.links, trust.anchors.map((a) => a.chr));
    if (!chain || chain.length === 0) throw new EhcError('card-ca-cvc-invalid', 'no path from a trusted root to the card sub-CA');
    try {
      verifyChain(crypto, chain, trust.anchors, { date: today });
    } catch (e) {
      throw new EhcError('card-ca-cvc-invalid', 'card sub-CA chain does not verify', { cause: e });
    }
    path = {
      notBefore: Math.max(...chain.map((c) => dateKey(c.effectiveDate))),
      notAfter: Math.min(...chain.map((c) => dateKey(c.expirationDate))),
    };
    if (trust.caPaths.size >= CA_CACHE_MAX) trust.caPaths.clear();
    trust.caPaths.set(key, path);
  }
  if (day < path.notBefore || day > path.notAfter) throw new EhcError('card-ca-cvc-invalid', 'card sub-CA path outside its validity');
  try {
    verifyChain(crypto, [ee], [{ chr: ca.chr, point: ca.publicKey.point, flags: ca.chat.flags }], { date: today });
  } catch (e) {
    throw new EhcError('card-cvc-invalid', 'card end-entity CVC does not verify under its sub-CA', { cause: e });
  }
}
