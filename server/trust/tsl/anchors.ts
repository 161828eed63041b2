/**
 * Trust anchors configured outside the TSL: the project's test PKI in development, whose eGK CA
 * no TSL lists. An anchor is an issuing CA with the TI-like root above it, the OCSP address a TSL
 * service entry would carry and the certificate types it may issue. It is trusted because the
 * operator configured it (like roots.json), so only self-consistency is checked here; the path
 * validation then treats it exactly like a TSL CA. Never in production: there the TSL is the only
 * source of CAs.
 */
import type { PoppEnv } from '../env';
import { TrustError } from '../errors';
import { OID } from '../oids';
import { TrustCert } from '../x509/certificate';
import type { TiRoot } from './roots';
import type { TrustView, TslCa, TslInfo } from './snapshot';

export interface AnchorSpec {
  /** Issuing CA (e.g. TSTPP.EGK-CA TEST-ONLY). */
  ca: TrustCert;
  /** Its self-signed root. */
  root: TrustCert;
  /** What a TSL service entry would name as the CA's OCSP responder (ServiceSupplyPoint). */
  ocspUrls?: string[];
  /** Certificate types the CA may issue; default oid_egk_aut. */
  certificateTypes?: string[];
}

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

export class ConfiguredAnchors implements TrustView {
  readonly info: TslInfo;
  readonly ocspResponders: readonly TrustCert[] = [];
  private readonly cas: TslCa[] = [];
  private readonly roots = new Map<TslCa, TiRoot>();

  constructor(specs: readonly AnchorSpec[], env: PoppEnv) {
    if (env === 'production' && specs.length > 0) {
      throw new TrustError('CONFIG_INVALID', 'Konfigurierte Vertrauensanker außerhalb der TSL sind in Produktion nicht erlaubt');
    }
    for (const s of specs) {
      if (!s.root.isIssuedBy(s.root)) throw new TrustError('CONFIG_INVALID', `Anker-Root ${s.root.subjectCn ?? '?'} ist nicht selbstsigniert`);
      if (!s.ca.isIssuedBy(s.root)) throw new TrustError('CONFIG_INVALID', `Anker-CA ${s.ca.subjectCn ?? '?'} ist nicht von ${s.root.subjectCn ?? '?'} ausgestellt`);
      const ca: TslCa = {
        cert: s.ca,
        serviceName: s.ca.subjectCn ?? 'configured anchor',
        tspName: 'configured anchor',
        status: 'configured',
        statusStartingTime: s.ca.notBefore,
        ocspUrls: (s.ocspUrls ?? []).filter((u) => /^https?:\/\//i.test(u)),
        certificateTypes: s.certificateTypes ?? [OID.egkAut],
      };
      this.cas.push(ca);
      this.roots.set(ca, { cn: s.root.subjectCn ?? 'configured root', cert: s.root, links: [] });
    }
    const ends = specs.flatMap((s) => [s.ca.notAfter.getTime(), s.root.notAfter.getTime()]);
    this.info = {
      id: 'configured-anchors',
      sequenceNumber: 0n,
      issued: new Date(0),
      nextUpdate: new Date(ends.length > 0 ? Math.min(...ends) : 8.64e15),
      signerCn: undefined,
      signerFingerprint256: '',
      sha256: '',
    };
  }

  get size(): number {
    return this.cas.length;
  }

  owns(ca: TslCa): boolean {
    return this.roots.has(ca);
  }

  casNamed(issuerDer: Uint8Array): TslCa[] {
    const key = hex(issuerDer);
    return this.cas.filter((c) => hex(c.cert.subjectDer) === key);
  }

  rootOf(ca: TslCa): TiRoot | null {
    return this.roots.get(ca) ?? null;
  }
}

/** The TSL's CAs plus the configured anchors; each CA keeps the root of its own source. */
class CombinedView implements TrustView {
  constructor(
    private readonly tsl: TrustView,
    private readonly anchors: ConfiguredAnchors,
  ) {}

  get info(): TslInfo {
    return this.tsl.info;
  }

  get ocspResponders(): readonly TrustCert[] {
    return this.tsl.ocspResponders;
  }

  casNamed(issuerDer: Uint8Array): TslCa[] {
    return [...this.tsl.casNamed(issuerDer), ...this.anchors.casNamed(issuerDer)];
  }

  rootOf(ca: TslCa): TiRoot | null {
    // A CA from one source never chains to a root of the other.
    return this.anchors.owns(ca) ? this.anchors.rootOf(ca) : this.tsl.rootOf(ca);
  }
}

/**
 * A trust source for createTrustDecision: the TSL store (if any) and the configured anchors (if
 * any). While the TSL is unavailable, decisions stop for every card, anchors included, so an
 * expired list cannot go unnoticed behind a working test PKI.
 */
export function combineTrust(tsl: { current(now?: Date): TrustView } | null, anchors: ConfiguredAnchors | null): { current(now?: Date): TrustView } {
  if (!tsl && !anchors) throw new TrustError('CONFIG_INVALID', 'Weder TSL noch Vertrauensanker konfiguriert');
  if (!tsl) return { current: () => anchors! };
  if (!anchors || anchors.size === 0) return tsl;
  return { current: (now?: Date) => new CombinedView(tsl.current(now), anchors) };
}

export function anchorFromDer(ca: Uint8Array, root: Uint8Array, o: Omit<AnchorSpec, 'ca' | 'root'> = {}): AnchorSpec {
  return { ca: TrustCert.parse(ca, 'Anker-CA'), root: TrustCert.parse(root, 'Anker-Root'), ...o };
}
