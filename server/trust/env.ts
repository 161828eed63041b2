/** Where the service runs, and how gematik marks its test material. */
import type { TrustCert } from './x509/certificate';

export type PoppEnv = 'production' | 'development' | 'test';

/** gematik test PKI certificates carry "TEST-ONLY" in the CN and "NOT-VALID" in the organisation. */
export function isGematikTestMaterial(cert: TrustCert): boolean {
  const cn = cert.subjectCn ?? '';
  const o = cert.subjectAttr('2.5.4.10');
  return /TEST-ONLY/.test(cn) && typeof o === 'string' && /NOT-VALID/.test(o);
}
