/**
 * An immutable view of one verified TSL plus the TI roots: the X.509 CAs (with their OCSP
 * addresses and permitted certificate types), the OCSP responders the TSL names, and the
 * CVC roots. A reload replaces the whole snapshot; nothing is mutated in place.
 */
import { SERVICE_STATUS, SERVICE_TYPE, type ParsedTsl } from './parse';
import type { TiRoot } from './roots';
import { TrustCert } from '../x509/certificate';

export interface TslCa {
  cert: TrustCert;
  serviceName: string;
  tspName: string;
  status: string;
  statusStartingTime: Date;
  /** ServiceSupplyPoints of the CA's service entry: in the TI, the OCSP responder address. */
  ocspUrls: string[];
  /** ExtensionOIDs of the service: certificate types this CA may issue (e.g. oid_egk_aut). */
  certificateTypes: string[];
}

export interface CvcRoot {
  name: string;
  cvc: Uint8Array;
  extensionOids: string[];
}

export interface TslInfo {
  id: string | null;
  sequenceNumber: bigint;
  issued: Date;
  nextUpdate: Date;
  signerCn: string | undefined;
  signerFingerprint256: string;
  /** SHA-256 of the raw TSL file, for logs and alarms. */
  sha256: string;
}

/**
 * What a trust decision reads from its trust source: a verified TSL (TrustSnapshot), or a TSL
 * combined with configured anchors (anchors.ts). Path validation and OCSP see only this.
 */
export interface TrustView {
  readonly info: TslInfo;
  readonly ocspResponders: readonly TrustCert[];
  casNamed(issuerDer: Uint8Array): TslCa[];
  rootOf(ca: TslCa): TiRoot | null;
}

export class TrustSnapshot implements TrustView {
  readonly info: TslInfo;
  readonly cas: readonly TslCa[];
  readonly ocspResponders: readonly TrustCert[];
  readonly cvcRoots: readonly CvcRoot[];
  readonly roots: readonly TiRoot[];
  /** Service entries whose certificate could not be read; reported, never fatal for the rest. */
  readonly skipped: readonly { serviceName: string; reason: string }[];
  private readonly bySubject = new Map<string, TslCa[]>();
  private readonly rootCache = new Map<TslCa, TiRoot | null>();

  constructor(tsl: ParsedTsl, info: TslInfo, roots: readonly TiRoot[]) {
    this.info = info;
    this.roots = roots;
    const cas: TslCa[] = [];
    const responders: TrustCert[] = [];
    const cvcRoots: CvcRoot[] = [];
    const skipped: { serviceName: string; reason: string }[] = [];
    for (const svc of tsl.services) {
      if (svc.type === SERVICE_TYPE.caCvc) {
        for (const b64 of svc.cvCertificates) cvcRoots.push({ name: svc.name, cvc: Buffer.from(b64, 'base64'), extensionOids: svc.extensionOids });
        continue;
      }
      if (svc.type !== SERVICE_TYPE.caPkc && svc.type !== SERVICE_TYPE.ocsp) continue;
      for (const b64 of svc.x509Certificates) {
        let cert: TrustCert;
        try {
          cert = TrustCert.fromBase64(b64, svc.name);
        } catch (e) {
          skipped.push({ serviceName: svc.name, reason: (e as Error).message });
          continue;
        }
        if (svc.type === SERVICE_TYPE.ocsp) {
          responders.push(cert);
          continue;
        }
        const ca: TslCa = {
          cert,
          serviceName: svc.name,
          tspName: svc.tspName,
          status: svc.status,
          statusStartingTime: svc.statusStartingTime,
          ocspUrls: svc.supplyPoints.filter((u) => /^https?:\/\//i.test(u)),
          certificateTypes: svc.extensionOids,
        };
        cas.push(ca);
        const key = Buffer.from(cert.subjectDer).toString('hex');
        this.bySubject.set(key, [...(this.bySubject.get(key) ?? []), ca]);
      }
    }
    this.cas = cas;
    this.ocspResponders = responders;
    this.cvcRoots = cvcRoots;
    this.skipped = skipped;
  }

  /** TSL CAs whose subject is the certificate's issuer name (several while a CA key rolls over). */
  casNamed(issuerDer: Uint8Array): TslCa[] {
    return this.bySubject.get(Buffer.from(issuerDer).toString('hex')) ?? [];
  }

  isOcspResponder(cert: TrustCert): boolean {
    return this.ocspResponders.some((r) => r.fingerprint256 === cert.fingerprint256);
  }

  rootsNamed(issuerDer: Uint8Array): TiRoot[] {
    const key = Buffer.from(issuerDer).toString('hex');
    return this.roots.filter((r) => Buffer.from(r.cert.subjectDer).toString('hex') === key);
  }

  /**
   * The TI root that issued a TSL CA, or null. The signature check is done once per snapshot:
   * neither certificate changes while the snapshot lives (validity is the caller's check).
   */
  rootOf(ca: TslCa): TiRoot | null {
    if (!this.rootCache.has(ca)) this.rootCache.set(ca, this.rootsNamed(ca.cert.issuerDer).find((r) => ca.cert.isIssuedBy(r.cert)) ?? null);
    return this.rootCache.get(ca)!;
  }
}

export const isRevokedService = (ca: TslCa): boolean => ca.status === SERVICE_STATUS.revoked;
