import { equal } from '../../../lib/bytes/bytes';
import { CURVES, curveInfo } from '../../../lib/card-crypto/curves';
import type { CardCrypto, CurveName } from '../../../lib/card-crypto/port';
import { plainEcdsaSignature, readCertificate } from './chaut-reader';
import { EhcError } from './errors';

/**
 * A C.CH.AUT check for development and tests: the certificate must be signed by one
 * of the given X.509 CAs (the eGK CA, e.g. GEM.EGK-CA51 TEST-ONLY, or the test PKI's)
 * and both must be valid now. Not the production decision: TSL, OCSP and the hash DB
 * are server/trust's (createTrustDecision). Brainpool signatures go through the card crypto port
 * because WebCrypto (and so @peculiar/x509) has no brainpool curves.
 */

/** ecdsa-with-SHA256/384/512 (1.2.840.10045.4.3.2–4), DER content bytes → hash. */
const ECDSA_WITH: Array<[Uint8Array, 'SHA-256' | 'SHA-384' | 'SHA-512']> = [
  [Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x02), 'SHA-256'],
  [Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x03), 'SHA-384'],
  [Uint8Array.of(0x2a, 0x86, 0x48, 0xce, 0x3d, 0x04, 0x03, 0x04), 'SHA-512'],
];

interface CaEntry {
  subject: Uint8Array;
  curve: CurveName;
  point: Uint8Array;
  notBefore: number;
  notAfter: number;
}

export function createChAutValidator(opts: { cas: Uint8Array[]; crypto: CardCrypto; now: () => number }): (der: Uint8Array, ctx?: unknown) => Promise<void> {
  const cas: CaEntry[] = opts.cas.map((der) => {
    const c = readCertificate(der);
    const curve = Object.values(CURVES).find((k) => c.curveOid && equal(k.oidDer, c.curveOid))?.name;
    if (!curve) throw new Error('eGK CA key is not a brainpool EC key');
    return { subject: c.subject, curve, point: c.publicKey, notBefore: c.notBefore, notAfter: c.notAfter };
  });
  return async (der) => {
    const invalid = (message: string, cause?: unknown): never => {
      throw new EhcError('chaut-invalid', message, { cause });
    };
    let cert;
    try {
      cert = readCertificate(der);
    } catch (e) {
      return invalid('C.CH.AUT does not parse', e);
    }
    const ca = cas.find((c) => equal(c.subject, cert.issuer));
    if (!ca) return invalid('C.CH.AUT issuer is not a configured eGK CA');
    const info = curveInfo(ca.curve);
    const hash = ECDSA_WITH.find(([oid]) => equal(oid, cert.signatureAlgorithm))?.[1];
    if (!hash || hash !== info.hash) return invalid('C.CH.AUT signature algorithm does not fit the CA key');
    let ok = false;
    try {
      ok = opts.crypto.ecdsaVerify(ca.curve, ca.point, cert.tbs, plainEcdsaSignature(cert.signature, info.size));
    } catch (e) {
      return invalid('C.CH.AUT signature does not parse', e);
    }
    if (!ok) return invalid('C.CH.AUT signature does not verify');
    const now = opts.now();
    if (now < cert.notBefore || now > cert.notAfter) return invalid('C.CH.AUT outside its validity');
    if (now < ca.notBefore || now > ca.notAfter) return invalid('eGK CA outside its validity');
  };
}
