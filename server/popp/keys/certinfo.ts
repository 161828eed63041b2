/**
 * The two extensions node:crypto's X509Certificate does not expose: KeyUsage bits and the
 * Admission roles. Parsed with pkijs from the DER; shared by the key store and the verifier.
 */
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ADMISSION_OID, decodeAdmissionRoles } from './admission';

export interface CertExtensionsInfo {
  /** Set bit numbers (0 = digitalSignature, 1 = nonRepudiation, 5 = keyCertSign …); null if absent. */
  keyUsage: Set<number> | null;
  /** Admission profession OIDs; null when the extension is absent or malformed. */
  roles: string[] | null;
}

export function certExtensionsInfo(der: Uint8Array): CertExtensionsInfo {
  const cert = pkijs.Certificate.fromBER(der.slice());
  let keyUsage: Set<number> | null = null;
  let roles: string[] | null = null;
  for (const e of cert.extensions ?? []) {
    const value = e.extnValue.valueBlock.valueHexView;
    if (e.extnID === '2.5.29.15') {
      const bs = asn1js.fromBER(value.slice()).result;
      if (bs instanceof asn1js.BitString) {
        keyUsage = new Set();
        const bytes = bs.valueBlock.valueHexView;
        for (let i = 0; i < bytes.length * 8; i++) if (bytes[i >> 3] & (0x80 >> (i & 7))) keyUsage.add(i);
      }
    } else if (e.extnID === ADMISSION_OID) {
      roles = decodeAdmissionRoles(value.slice());
    }
  }
  return { keyUsage, roles };
}

export function splitPemCertificates(pem: string): string[] {
  return pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}
