/**
 * Path validation of the card's C.CH.AUT.E256 (after gemSpec_PKI TUC_PKI_018, without OCSP):
 * CH.AUT → issuing CA listed in the TSL → TI root from roots.json, each signature checked with
 * node:crypto (brainpool). The TSL is the trust anchor for the CA; the root check makes a CA
 * that was slipped into a list but never issued by a TI root fail as well.
 */
import { TrustError } from '../errors';
import { OID } from '../oids';
import type { TiRoot } from '../tsl/roots';
import { isRevokedService, type TrustView, type TslCa } from '../tsl/snapshot';
import { TrustCert } from './certificate';

export interface PathResult {
  chAut: TrustCert;
  ca: TslCa;
  root: TiRoot;
}

export interface PathOptions {
  now: Date;
  /** Certificate type the CA must be allowed to issue and the certificate must carry. */
  certificateType?: string;
}

/** Extensions this validator understands; any other critical one makes the certificate invalid (RFC 5280 §4.2). */
const KNOWN_EXTENSIONS = new Set<string>([
  OID.subjectKeyIdentifier,
  OID.authorityKeyIdentifier,
  OID.keyUsage,
  OID.extKeyUsage,
  OID.basicConstraints,
  OID.certificatePolicies,
  OID.subjectAltName,
  OID.issuerAltName,
  OID.authorityInfoAccess,
  OID.admission,
  OID.qcStatements,
]);

const fail = (code: ConstructorParameters<typeof TrustError>[0], message: string, details?: Record<string, unknown>): never => {
  throw new TrustError(code, message, { details });
};

function findIssuer(cert: TrustCert, snapshot: TrustView): TslCa {
  const named = snapshot.casNamed(cert.issuerDer);
  if (named.length === 0) fail('CERT_UNKNOWN_CA', `Aussteller ${cert.issuerCn ?? '?'} steht in keiner TSL`, { issuer: cert.issuerCn });
  const ca = named.find((c) => cert.isIssuedBy(c.cert));
  if (!ca) fail('CERT_SIGNATURE_INVALID', `Signatur von ${cert.issuerCn ?? '?'} über das Zertifikat ist ungültig`, { issuer: cert.issuerCn });
  return ca!;
}

function findRoot(ca: TslCa, snapshot: TrustView, now: Date): TiRoot {
  const root = snapshot.rootOf(ca);
  if (!root) fail('CERT_PATH_INVALID', `CA ${ca.cert.subjectCn ?? '?'} führt zu keiner TI-Root (${ca.cert.issuerCn ?? '?'})`);
  if (!root!.cert.isValidAt(now)) fail('CERT_PATH_INVALID', `TI-Root ${root!.cn} ist nicht gültig`);
  return root!;
}

export function validateChAutPath(der: Uint8Array, snapshot: TrustView, opts: PathOptions): PathResult {
  const { now } = opts;
  const type = opts.certificateType ?? OID.egkAut;
  const cert = TrustCert.parse(der, 'C.CH.AUT');

  const ca = findIssuer(cert, snapshot);
  if (isRevokedService(ca) && ca.statusStartingTime.getTime() < cert.notBefore.getTime()) {
    fail('CERT_CA_REVOKED', `CA ${ca.cert.subjectCn ?? '?'} war bei Ausstellung laut TSL widerrufen`);
  }
  if (!ca.certificateTypes.includes(type)) {
    fail('CERT_CA_NOT_AUTHORIZED', `CA ${ca.cert.subjectCn ?? '?'} darf laut TSL keine Zertifikate vom Typ ${type} ausstellen`);
  }
  const caBc = ca.cert.basicConstraints();
  if (!caBc?.ca || !ca.cert.keyUsage()?.has('keyCertSign')) fail('CERT_PATH_INVALID', `${ca.cert.subjectCn ?? '?'} ist kein CA-Zertifikat`);
  if (!ca.cert.isValidAt(now)) fail('CERT_PATH_INVALID', `CA ${ca.cert.subjectCn ?? '?'} ist nicht gültig`);
  const root = findRoot(ca, snapshot, now);

  if (now.getTime() < cert.notBefore.getTime()) fail('CERT_NOT_YET_VALID', `C.CH.AUT erst gültig ab ${cert.notBefore.toISOString()}`);
  if (now.getTime() > cert.notAfter.getTime()) fail('CERT_EXPIRED', `C.CH.AUT abgelaufen am ${cert.notAfter.toISOString()}`);

  if (cert.basicConstraints()?.ca) fail('CERT_KEY_USAGE', 'C.CH.AUT ist als CA-Zertifikat markiert');
  const ku = cert.keyUsage();
  if (!ku?.has('digitalSignature')) fail('CERT_KEY_USAGE', 'C.CH.AUT erlaubt keine Authentisierung (KeyUsage digitalSignature fehlt)');
  for (const forbidden of ['keyCertSign', 'cRLSign', 'nonRepudiation'] as const) {
    if (ku!.has(forbidden)) fail('CERT_KEY_USAGE', `C.CH.AUT hat die unzulässige KeyUsage ${forbidden}`);
  }
  if (!cert.policies().includes(type)) fail('CERT_POLICY', `C.CH.AUT trägt nicht die Policy ${type} (oid_egk_aut)`);

  const unknown = cert.criticalExtensions.filter((o) => !KNOWN_EXTENSIONS.has(o));
  if (unknown.length > 0) fail('CERT_UNKNOWN_CRITICAL_EXTENSION', `Unbekannte kritische Erweiterung ${unknown.join(', ')}`);

  return { chAut: cert, ca, root };
}
