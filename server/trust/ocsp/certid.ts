/**
 * RFC 6960 §4.1.1 CertID: hash of the issuer's DN, hash of the issuer's public key (the BIT
 * STRING contents, without tag, length and unused-bits octet) and the certificate's serial.
 * SHA-1 is what RFC 6960 and most TI responders expect; SHA-256 where configured.
 */
import { createHash } from 'node:crypto';
import type { HashName } from '../oids';
import { toHex, type TrustCert } from '../x509/certificate';

export interface CertId {
  hash: HashName;
  issuerNameHash: Uint8Array;
  issuerKeyHash: Uint8Array;
  serial: Uint8Array;
}

const digest = (hash: HashName, data: Uint8Array): Uint8Array => new Uint8Array(createHash(hash).update(data).digest());

export function certIdFor(cert: TrustCert, issuer: TrustCert, hash: HashName = 'sha1'): CertId {
  return {
    hash,
    issuerNameHash: digest(hash, cert.issuerDer),
    issuerKeyHash: digest(hash, issuer.publicKeyBits),
    serial: cert.serial,
  };
}

const eq = (a: Uint8Array, b: Uint8Array) => a.length === b.length && Buffer.compare(Buffer.from(a), Buffer.from(b)) === 0;

export function certIdEquals(a: CertId, b: CertId): boolean {
  return a.hash === b.hash && eq(a.issuerNameHash, b.issuerNameHash) && eq(a.issuerKeyHash, b.issuerKeyHash) && eq(a.serial, b.serial);
}

/** Cache key independent of the hash algorithm: the issuer key itself identifies the CA. */
export function statusKey(cert: TrustCert, issuer: TrustCert): string {
  return `${toHex(digest('sha256', issuer.publicKeyBits))}:${cert.serialHex}`;
}
