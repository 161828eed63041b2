/**
 * CMS SignedData import files as gematik's TSP eGK produces them (sha256, ecdsa-with-SHA256,
 * signed attributes contentType / signingTime / messageDigest, signer certificate included),
 * and a test signer CA with the role oid_tsp-egk. Tests and the project's test PKI only.
 */
import { createHash } from 'node:crypto';
import { explicit, integer, octets, oid, seq, set, tlv, utcTime } from '../der';
import { OID } from '../oids';
import { issueCertificate, signDer, type Issued } from './certs';

const DAY = 86_400_000;

/** A P-256 signer CA and a signer below it with the Admission role oid_tsp-egk, like GEM.KOMP-CA61's. */
export function makeImportSigner(now: Date, o: { role?: string; caName?: string } = {}): { ca: Issued; signer: Issued } {
  const t = now.getTime();
  const ca = issueCertificate({
    subject: [['C', 'DE'], ['O', 'popp test NOT-VALID'], ['CN', o.caName ?? 'POPP.KOMP-CA1 TEST-ONLY']],
    curve: 'prime256v1',
    notBefore: new Date(t - 100 * DAY),
    notAfter: new Date(t + 2000 * DAY),
    ca: { pathLen: 0 },
    keyUsage: ['keyCertSign', 'cRLSign'],
  });
  const signer = issueCertificate({
    subject: [['C', 'DE'], ['O', 'popp test NOT-VALID'], ['CN', 'tsp.egk.popp.test']],
    issuer: ca,
    curve: 'prime256v1',
    notBefore: new Date(t - 10 * DAY),
    notAfter: new Date(t + 1000 * DAY),
    keyUsage: ['nonRepudiation'],
    policies: [OID.gematikPolicy],
    admission: { item: 'Technische Zertifikatsausgabestelle eines Anbieters EGK', oids: [o.role ?? OID.tspEgk] },
  });
  return { ca, signer };
}

const attr = (type: string, value: Uint8Array) => seq(oid(type), set(value));

export function signImport(eContent: Uint8Array, signer: Issued, o: { signingTime?: Date; omitCertificate?: boolean; digestOf?: Uint8Array } = {}): Uint8Array {
  const digest = createHash('sha256').update(o.digestOf ?? eContent).digest();
  // DER SET OF: elements in ascending order of their encodings.
  const attrs = [attr(OID.attrContentType, oid(OID.data)), attr(OID.attrSigningTime, utcTime(o.signingTime ?? new Date())), attr(OID.attrMessageDigest, octets(digest))].sort(
    (a, b) => Buffer.compare(Buffer.from(a), Buffer.from(b)),
  );
  const signature = signDer(set(...attrs), signer.key);
  const signerInfo = seq(
    integer(1),
    seq(signer.cert.issuerDer, integer(signer.cert.serial)),
    seq(oid(OID.sha256)),
    tlv(0xa0, ...attrs),
    seq(oid(OID.ecdsaSha256)),
    octets(signature),
  );
  const signedData = seq(
    integer(1),
    set(seq(oid(OID.sha256))),
    seq(oid(OID.data), explicit(0, octets(eContent))),
    ...(o.omitCertificate ? [] : [tlv(0xa0, signer.cert.der)]),
    set(signerInfo),
  );
  return seq(oid(OID.signedData), explicit(0, signedData));
}
