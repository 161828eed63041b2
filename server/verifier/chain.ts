/**
 * Trust in a published key comes from its certificate, not from where it was downloaded:
 * x5c[0] must chain to a configured CA, name the oid_popp-token role in its Admission extension
 * (A_27016), allow signing, and carry exactly the public key of the JWK.
 *
 * Revocation (OCSP, TUC_PKI_018) is not checked here: the development CA has no responder.
 * See docs/verifier.md.
 */
import { X509Certificate } from 'node:crypto';
import { OID_POPP_TOKEN } from '../popp/keys/admission';
import { certExtensionsInfo, splitPemCertificates } from '../popp/keys/certinfo';
import { ecPublicCoords } from '../popp/keys/jwk';
import { refuse, type Refusal } from './codes';

const MAX_CHAIN = 5;
const KU_DIGITAL_SIGNATURE = 0;
const KU_NON_REPUDIATION = 1;

export interface TrustedCertInfo {
  ok: true;
  /** Validity of the whole path in Unix seconds, re-checked at every verification. */
  notBefore: number;
  notAfter: number;
}

/** Accepts PEM text (one or more certificates) or DER bytes. */
export function parseTrustAnchors(input: Array<string | Uint8Array>): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const a of input) {
    if (typeof a === 'string') {
      const pems = splitPemCertificates(a);
      if (pems.length === 0) throw new Error('trust anchor string contains no PEM certificate');
      for (const p of pems) out.push(new X509Certificate(p));
    } else {
      out.push(new X509Certificate(Buffer.from(a)));
    }
  }
  return out;
}

const seconds = (s: string) => Math.floor(Date.parse(s) / 1000);

export function validateSignerCert(
  x5c: string[],
  jwkCoords: { x: string; y: string },
  anchors: X509Certificate[],
  now: number,
): TrustedCertInfo | Refusal {
  if (x5c.length === 0 || x5c.length > MAX_CHAIN) return refuse('key_chain_invalid', 'x5c empty or too long');
  let certs: X509Certificate[];
  try {
    certs = x5c.map((b) => {
      if (!/^[A-Za-z0-9+/]+={0,2}$/.test(b)) throw new Error('x5c entry is not base64');
      return new X509Certificate(Buffer.from(b, 'base64'));
    });
  } catch {
    return refuse('key_chain_invalid', 'x5c entry is not a DER certificate');
  }
  const leaf = certs[0];
  const coords = ecPublicCoords(leaf.publicKey);
  if (!coords) return refuse('key_invalid', 'certificate key is not EC P-256');
  if (coords.x !== jwkCoords.x || coords.y !== jwkCoords.y) return refuse('key_mismatch', 'x5c[0] certifies a different key than the JWK');
  if (leaf.ca) return refuse('key_usage_invalid', 'signer certificate is a CA certificate');

  // Walk up x5c until a configured anchor issued the current certificate.
  const path: X509Certificate[] = [leaf];
  let anchored: X509Certificate | undefined;
  for (let i = 0; i < MAX_CHAIN; i++) {
    const cur = path[path.length - 1];
    anchored = anchors.find((a) => a.ca && cur.checkIssued(a) && cur.verify(a.publicKey));
    if (anchored) break;
    const next = certs[i + 1];
    if (!next || !next.ca || !cur.checkIssued(next) || !cur.verify(next.publicKey)) {
      return refuse('key_chain_invalid', 'no path from x5c[0] to a configured CA');
    }
    path.push(next);
  }
  if (!anchored) return refuse('key_chain_invalid', 'no path from x5c[0] to a configured CA');

  const all = [...path, anchored];
  const notBefore = Math.max(...all.map((c) => seconds(c.validFrom)));
  const notAfter = Math.min(...all.map((c) => seconds(c.validTo)));
  if (!Number.isFinite(notBefore) || !Number.isFinite(notAfter)) return refuse('key_chain_invalid', 'unreadable validity');
  if (now < notBefore || now > notAfter) return refuse('key_cert_expired', 'a certificate on the path is not valid now');

  let info;
  try {
    info = certExtensionsInfo(leaf.raw);
  } catch {
    return refuse('key_chain_invalid', 'signer certificate extensions unreadable');
  }
  if (!info.roles?.includes(OID_POPP_TOKEN)) return refuse('key_role_missing', 'signer certificate lacks the oid_popp-token admission role');
  if (!info.keyUsage || !(info.keyUsage.has(KU_NON_REPUDIATION) || info.keyUsage.has(KU_DIGITAL_SIGNATURE))) {
    return refuse('key_usage_invalid', 'signer certificate keyUsage allows no signatures');
  }
  return { ok: true, notBefore, notAfter };
}
