/**
 * The explicit exception to online status checking: gematik's test card names an OCSP
 * responder (http://ehca.gematik.de/ocsp/) that cannot be reached from here. An operator may
 * list trust anchors (issuing CAs) whose certificates skip OCSP — only gematik test material
 * (a CA named "… TEST-ONLY" of an organisation "… NOT-VALID"), never in production, and each
 * use goes to the audit log.
 */
import { z } from 'zod';
import { isGematikTestMaterial, type PoppEnv } from '../env';
import { TrustError } from '../errors';
import type { TrustCert } from '../x509/certificate';

const anchorSchema = z
  .object({
    /** CN of the issuing CA, e.g. "GEM.EGK-CA51 TEST-ONLY". */
    caCommonName: z.string().min(1).optional(),
    /** SHA-256 of the issuing CA certificate (hex), the stricter match. */
    caSha256: z.string().regex(/^[0-9a-fA-F]{64}$/).optional(),
    /** Why: ends up in the audit log with every use. */
    reason: z.string().min(3),
  })
  .refine((a) => a.caCommonName !== undefined || a.caSha256 !== undefined, 'caCommonName oder caSha256 angeben');
export type OfflineOcspAnchor = z.infer<typeof anchorSchema>;

export interface OfflineOcspUse {
  event: 'trust.ocsp-offline-policy';
  at: Date;
  caCommonName: string | undefined;
  caSha256: string;
  serial: string;
  reason: string;
}

export class OfflineOcspPolicy {
  readonly anchors: readonly OfflineOcspAnchor[];

  constructor(
    anchors: unknown[],
    private readonly env: PoppEnv,
  ) {
    const parsed = z.array(anchorSchema).safeParse(anchors);
    if (!parsed.success) throw new TrustError('CONFIG_INVALID', `Offline-OCSP-Policy ungültig: ${parsed.error.issues[0]?.message ?? ''}`);
    if (env === 'production' && parsed.data.length > 0) {
      throw new TrustError('CONFIG_INVALID', 'Eine Offline-OCSP-Policy ist in Produktion nicht erlaubt');
    }
    this.anchors = parsed.data;
  }

  /** The anchor covering this CA, if any. */
  find(ca: TrustCert): OfflineOcspAnchor | undefined {
    return this.anchors.find(
      (a) => (a.caSha256 === undefined || a.caSha256.toLowerCase() === ca.fingerprint256) && (a.caCommonName === undefined || a.caCommonName === ca.subjectCn),
    );
  }

  /**
   * Whether OCSP may be skipped for a certificate of this CA. Throws when a configured anchor
   * would be used where it must not be (production, or a CA that is not gematik test material).
   */
  applies(ca: TrustCert, cert: TrustCert, now: Date, audit?: (use: OfflineOcspUse) => void): boolean {
    const anchor = this.find(ca);
    if (!anchor) return false;
    if (this.env === 'production') throw new TrustError('OCSP_OFFLINE_POLICY_REFUSED', 'Offline-OCSP-Policy in Produktion verweigert');
    if (!isGematikTestMaterial(ca)) {
      throw new TrustError('OCSP_OFFLINE_POLICY_REFUSED', `Offline-OCSP-Policy gilt nur für gematik-Testmaterial, nicht für ${ca.subjectCn ?? '?'}`);
    }
    audit?.({ event: 'trust.ocsp-offline-policy', at: now, caCommonName: ca.subjectCn, caSha256: ca.fingerprint256, serial: cert.serialHex, reason: anchor.reason });
    return true;
  }
}
