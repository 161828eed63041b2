/**
 * Decides whether a parsed OCSP response may be believed for one certificate (RFC 6960 §3.2,
 * §4.2.2.2; gemSpec_PKI TUC_PKI_006): it answers for this CertID, is signed by an authorized
 * responder (the CA itself, a delegated responder the CA issued with id-kp-OCSPSigning, or a
 * responder the TSL lists), carries the nonce we sent, and is current within a stated clock
 * tolerance. It returns the status; what a revoked or unknown status means is the caller's call.
 */
import { createHash, verify } from 'node:crypto';
import { TrustError } from '../errors';
import { OID, SIGNATURE_OIDS } from '../oids';
import type { TrustCert } from '../x509/certificate';
import { certIdEquals, type CertId } from './certid';
import type { ParsedOcspResponse, SingleStatus } from './response';

/** gematik's reference library allows 37.5 s between responder and local clock (OcspConstants). */
export const DEFAULT_OCSP_TOLERANCE_MS = 37_500;

export interface OcspTarget {
  issuer: TrustCert;
  serial: Uint8Array;
  /** The certificate itself, to check a CertHash extension against. */
  certDer?: Uint8Array;
}

export interface VerifyOcspOptions {
  now: Date;
  toleranceMs?: number;
  /** Without nextUpdate a response is "current" only this long after thisUpdate. Default 5 min. */
  maxAgeWithoutNextUpdateMs?: number;
  expectedNonce?: Uint8Array;
  requireNonce?: boolean;
  requireCertHash?: boolean;
  tslResponders?: readonly TrustCert[];
}

export interface OcspStatus {
  status: SingleStatus['status'];
  revocationTime?: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
  producedAt: Date;
  responder: { cn?: string; fingerprint256: string; authority: 'ca' | 'delegated' | 'tsl' };
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

function matchesResponderId(c: TrustCert, id: { byName: Uint8Array } | { byKeyHash: Uint8Array }): boolean {
  if ('byName' in id) return same(c.subjectDer, id.byName);
  return same(new Uint8Array(createHash('sha1').update(c.publicKeyBits).digest()), id.byKeyHash);
}

function authorize(signer: TrustCert, target: OcspTarget, opts: VerifyOcspOptions): OcspStatus['responder']['authority'] {
  const issuer = target.issuer;
  if (signer.fingerprint256 === issuer.fingerprint256) return 'ca';
  if (!signer.isValidAt(opts.now)) throw new TrustError('OCSP_RESPONDER_UNTRUSTED', `OCSP-Responder ${signer.subjectCn ?? '?'} ist nicht gültig`);
  if (opts.tslResponders?.some((r) => r.fingerprint256 === signer.fingerprint256)) return 'tsl';
  if (signer.isIssuedBy(issuer) && signer.extKeyUsage().includes(OID.kpOcspSigning)) return 'delegated';
  throw new TrustError('OCSP_RESPONDER_UNTRUSTED', `OCSP-Responder ${signer.subjectCn ?? '?'} ist für ${issuer.subjectCn ?? '?'} nicht autorisiert`, {
    details: { responder: signer.subjectCn, fingerprint: signer.fingerprint256 },
  });
}

function checkSignature(basic: NonNullable<ParsedOcspResponse['basic']>, signer: TrustCert): void {
  const alg = SIGNATURE_OIDS[basic.signatureAlgorithm];
  if (!alg) throw new TrustError('OCSP_SIGNATURE_INVALID', `Signaturverfahren ${basic.signatureAlgorithm} nicht zugelassen`);
  let ok = false;
  try {
    ok = verify(alg.hash, basic.tbs, alg.kind === 'ecdsa' ? { key: signer.publicKey, dsaEncoding: 'der' } : signer.publicKey, basic.signature);
  } catch {
    ok = false;
  }
  if (!ok) throw new TrustError('OCSP_SIGNATURE_INVALID', `Signatur der OCSP-Antwort passt nicht zu ${signer.subjectCn ?? '?'}`);
}

export function verifyOcspResponse(parsed: ParsedOcspResponse, target: OcspTarget, opts: VerifyOcspOptions): OcspStatus {
  if (parsed.status !== 'successful' || !parsed.basic) {
    throw new TrustError('OCSP_RESPONDER_ERROR', `OCSP-Responder antwortet ${parsed.status}`, { details: { responseStatus: parsed.status } });
  }
  const basic = parsed.basic;
  const now = opts.now.getTime();
  const tol = opts.toleranceMs ?? DEFAULT_OCSP_TOLERANCE_MS;

  // Who signed, and may they answer for this CA?
  // Several certificates may carry the responder's name (key rollover, a forger's copy): the
  // first that is authorized and whose key verifies the signature wins.
  const candidates = [target.issuer, ...basic.certs, ...(opts.tslResponders ?? [])].filter((c) => matchesResponderId(c, basic.responderId));
  if (candidates.length === 0) throw new TrustError('OCSP_RESPONDER_UNTRUSTED', 'OCSP-Antwort von einem unbekannten Responder');
  let signer: TrustCert | undefined;
  let authority: OcspStatus['responder']['authority'] | undefined;
  let firstError: TrustError | undefined;
  for (const c of candidates) {
    try {
      const a = authorize(c, target, opts);
      checkSignature(basic, c);
      signer = c;
      authority = a;
      break;
    } catch (e) {
      if (!(e instanceof TrustError)) throw e;
      if (!firstError || (firstError.code === 'OCSP_RESPONDER_UNTRUSTED' && e.code === 'OCSP_SIGNATURE_INVALID')) firstError = e;
    }
  }
  if (!signer || !authority) throw firstError!;

  // Is it about our certificate?
  const single = basic.responses.find((r) => {
    if (!r.certId) return false;
    const want: CertId = {
      hash: r.certId.hash,
      issuerNameHash: new Uint8Array(createHash(r.certId.hash).update(target.issuer.subjectDer).digest()),
      issuerKeyHash: new Uint8Array(createHash(r.certId.hash).update(target.issuer.publicKeyBits).digest()),
      serial: target.serial,
    };
    return certIdEquals(r.certId, want);
  });
  if (!single) throw new TrustError('OCSP_CERTID_MISMATCH', 'Die OCSP-Antwort betrifft ein anderes Zertifikat');
  if (single.certHash && target.certDer) {
    const h = single.certHash.hash;
    if (!h || !same(new Uint8Array(createHash(h).update(target.certDer).digest()), single.certHash.value)) {
      throw new TrustError('OCSP_CERTID_MISMATCH', 'CertHash der OCSP-Antwort passt nicht zum Zertifikat');
    }
  } else if (opts.requireCertHash) {
    throw new TrustError('OCSP_CERTID_MISMATCH', 'OCSP-Antwort ohne CertHash-Erweiterung');
  }

  // Is it the answer to our question?
  if (opts.expectedNonce) {
    if (basic.nonce ? !same(basic.nonce, opts.expectedNonce) : opts.requireNonce) {
      throw new TrustError('OCSP_NONCE_MISMATCH', basic.nonce ? 'Nonce der OCSP-Antwort passt nicht zur Anfrage' : 'OCSP-Antwort ohne Nonce');
    }
  }

  // Is it current?
  if (single.thisUpdate.getTime() > now + tol || basic.producedAt.getTime() > now + tol) {
    throw new TrustError('OCSP_NOT_YET_VALID', `OCSP-Antwort liegt in der Zukunft (thisUpdate ${single.thisUpdate.toISOString()})`);
  }
  if (single.nextUpdate) {
    if (single.nextUpdate.getTime() < now - tol) {
      throw new TrustError('OCSP_STALE', `OCSP-Antwort veraltet (nextUpdate ${single.nextUpdate.toISOString()})`, { details: { nextUpdate: single.nextUpdate.toISOString() } });
    }
  } else if (single.thisUpdate.getTime() < now - tol - (opts.maxAgeWithoutNextUpdateMs ?? 300_000)) {
    throw new TrustError('OCSP_STALE', `OCSP-Antwort ohne nextUpdate ist zu alt (thisUpdate ${single.thisUpdate.toISOString()})`);
  }

  return {
    status: single.status,
    revocationTime: single.revocationTime,
    thisUpdate: single.thisUpdate,
    nextUpdate: single.nextUpdate,
    producedAt: basic.producedAt,
    responder: { cn: signer.subjectCn, fingerprint256: signer.fingerprint256, authority },
  };
}
