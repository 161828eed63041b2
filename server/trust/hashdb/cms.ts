/**
 * Verifies a CMS SignedData import file (RFC 5652 §5.4, §5.6) and pins its signer. pkijs reads
 * the structure; node:crypto verifies the signature (P-256 for gematik's signer, brainpool
 * works the same). A valid signature alone proves nothing: the signer must be issued by a
 * pinned CA and carry the role oid_tsp-egk, or the file is refused however well it is signed.
 */
import { createHash, verify } from 'node:crypto';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { TrustError } from '../errors';
import { HASH_OIDS, OID, SIGNATURE_OIDS, type HashName } from '../oids';
import { isGematikTestMaterial, type PoppEnv } from '../env';
import { TrustCert, parseDerExact } from '../x509/certificate';

const OID_CMS_ALGORITHM_PROTECTION = '1.2.840.113549.1.9.52';
/** gematik's API accepts import files up to 2 GB (413 above); this parser holds the file in memory. */
export const DEFAULT_MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export interface ImportSignerPin {
  label: string;
  ca: TrustCert;
  /** professionOID the signer's Admission must carry. */
  role: string;
}

/**
 * The signer pins of an environment: gematik's CA(s) everywhere; the project's own test signer
 * CA only outside production (so generated cards can be imported), and no test CA in production.
 */
export function importSignerPins(opts: { env: PoppEnv; gematik: TrustCert[]; project?: TrustCert[] }): ImportSignerPin[] {
  const pins = opts.gematik.map((ca) => ({ label: `gematik ${ca.subjectCn ?? ''}`.trim(), ca, role: OID.tspEgk }));
  if (opts.env === 'production') {
    if (opts.project?.length) throw new TrustError('CONFIG_INVALID', 'Der Test-Signer des Projekts ist in Produktion nicht erlaubt');
    const test = pins.find((p) => isGematikTestMaterial(p.ca));
    if (test) throw new TrustError('CONFIG_INVALID', `${test.ca.subjectCn ?? '?'} ist Testmaterial und in Produktion nicht erlaubt`);
    return pins;
  }
  return [...pins, ...(opts.project ?? []).map((ca) => ({ label: `project test ${ca.subjectCn ?? ''}`.trim(), ca, role: OID.tspEgk }))];
}

export interface VerifiedImport {
  eContent: Uint8Array;
  signer: TrustCert;
  pin: ImportSignerPin;
  signingTime?: Date;
}

export interface VerifyImportOptions {
  pins: readonly ImportSignerPin[];
  now: Date;
  maxBytes?: number;
}

const bad = (message: string, cause?: unknown) => new TrustError('IMPORT_SIGNATURE_INVALID', message, { cause });
const malformed = (message: string, cause?: unknown) => new TrustError('IMPORT_MALFORMED', message, { cause });
const same = (a: ArrayBuffer | Uint8Array, b: ArrayBuffer | Uint8Array) => Buffer.compare(Buffer.from(a as ArrayBuffer), Buffer.from(b as ArrayBuffer)) === 0;

function attribute(si: pkijs.SignerInfo, type: string): asn1js.AsnType | undefined {
  const found = si.signedAttrs?.attributes.filter((a) => a.type === type) ?? [];
  if (found.length > 1 || (found[0] && found[0].values.length !== 1)) throw bad(`Signiertes Attribut ${type} mehrfach vorhanden`);
  return found[0]?.values[0];
}

function findSignerCert(sd: pkijs.SignedData, si: pkijs.SignerInfo): TrustCert {
  const certs = (sd.certificates ?? []).filter((c): c is pkijs.Certificate => c instanceof pkijs.Certificate).map((c) => TrustCert.parse(new Uint8Array(c.toSchema().toBER())));
  let match: TrustCert | undefined;
  if (si.sid instanceof pkijs.IssuerAndSerialNumber) {
    const issuer = new Uint8Array(si.sid.issuer.toSchema().toBER());
    const serial = new Uint8Array(si.sid.serialNumber.valueBlock.valueHexView);
    match = certs.find((c) => same(c.issuerDer, issuer) && same(c.serial, serial));
  } else if (si.sid instanceof asn1js.Primitive) {
    const ski = Buffer.from(si.sid.valueBlock.valueHexView).toString('hex');
    match = certs.find((c) => c.subjectKeyId() === ski);
  }
  if (!match) throw new TrustError('IMPORT_SIGNER_UNTRUSTED', 'Das Signer-Zertifikat liegt der Signatur nicht bei');
  return match;
}

function checkSignature(si: pkijs.SignerInfo, signer: TrustCert, digest: HashName): void {
  const alg = si.signatureAlgorithm.algorithmId;
  const known = SIGNATURE_OIDS[alg] ?? (alg === OID.ecPublicKey ? { hash: digest, kind: 'ecdsa' as const } : undefined);
  if (!known || known.hash !== digest) throw bad(`Signaturverfahren ${alg} passt nicht zum Hashverfahren`);
  const signed = new Uint8Array(si.signedAttrs!.encodedValue.slice(0));
  signed[0] = 0x31; // signed over the DER SET OF, not the [0] IMPLICIT tag it is stored with (RFC 5652 §5.4)
  let ok = false;
  try {
    const signature = new Uint8Array(si.signature.valueBlock.valueHexView);
    ok = verify(known.hash, signed, known.kind === 'ecdsa' ? { key: signer.publicKey, dsaEncoding: 'der' } : signer.publicKey, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw bad('CMS-Signatur ungültig');
}

function checkPin(signer: TrustCert, pins: readonly ImportSignerPin[], now: Date): ImportSignerPin {
  const pin = pins.find((p) => signer.isIssuedBy(p.ca));
  if (!pin) throw new TrustError('IMPORT_SIGNER_UNTRUSTED', `Signer ${signer.subjectCn ?? '?'} stammt von keiner für diese Umgebung hinterlegten CA`);
  if (!signer.isValidAt(now) || !pin.ca.isValidAt(now)) throw new TrustError('IMPORT_SIGNER_UNTRUSTED', `Signer ${signer.subjectCn ?? '?'} ist nicht gültig`);
  if (!signer.admissionRoles().includes(pin.role)) throw new TrustError('IMPORT_SIGNER_UNTRUSTED', `Signer ${signer.subjectCn ?? '?'} hat nicht die Rolle ${pin.role} (oid_tsp-egk)`);
  const ku = signer.keyUsage();
  if (ku && !ku.has('digitalSignature') && !ku.has('nonRepudiation')) throw new TrustError('IMPORT_SIGNER_UNTRUSTED', 'Signer-Schlüssel ist nicht zum Signieren bestimmt');
  return pin;
}

export function verifySignedImport(file: Uint8Array, opts: VerifyImportOptions): VerifiedImport {
  const max = opts.maxBytes ?? DEFAULT_MAX_IMPORT_BYTES;
  if (file.byteLength > max) throw new TrustError('IMPORT_TOO_LARGE', `Importdatei zu groß (${file.byteLength} > ${max} Bytes)`);
  if (file.byteLength === 0) throw malformed('Importdatei ist leer');

  let sd: pkijs.SignedData;
  let eContent: Uint8Array;
  try {
    // asn1js would also walk into the signed payload (one node per hash) and stop at its
    // default 10,000 nodes / 16 MiB: real bulk files hold 100,000s of entries. The payload
    // is read by our own DER walker (econtent.ts), so only the CMS envelope is parsed here.
    const ci = new pkijs.ContentInfo({
      schema: parseDerExact(file, 'Importdatei', 'IMPORT_MALFORMED', { parseEmbedded: false, maxContentLength: Math.max(file.byteLength, 1) }),
    });
    if (ci.contentType !== OID.signedData) throw malformed(`Kein CMS SignedData (${ci.contentType})`);
    sd = new pkijs.SignedData({ schema: ci.content });
    if (sd.encapContentInfo.eContentType !== OID.data) throw malformed(`eContentType ${sd.encapContentInfo.eContentType} ist nicht id-data`);
    const ec = sd.encapContentInfo.eContent;
    if (!ec) throw malformed('Die Signatur enthält keinen Inhalt (detached)');
    eContent = new Uint8Array(ec.getValue());
  } catch (e) {
    if (e instanceof TrustError) throw e.code === 'IMPORT_MALFORMED' ? e : malformed(e.message, e);
    throw malformed(`Importdatei ist kein lesbares CMS: ${(e as Error).message}`, e);
  }

  if (sd.signerInfos.length !== 1) throw bad(`Genau eine Signatur erwartet, ${sd.signerInfos.length} gefunden`);
  const si = sd.signerInfos[0]!;
  const digest = HASH_OIDS[si.digestAlgorithm.algorithmId];
  if (!digest || digest === 'sha1') throw bad(`Hashverfahren ${si.digestAlgorithm.algorithmId} nicht zugelassen`);
  if (!si.signedAttrs) throw bad('Signierte Attribute fehlen');

  const contentType = attribute(si, OID.attrContentType);
  if (!(contentType instanceof asn1js.ObjectIdentifier) || contentType.valueBlock.toString() !== OID.data) throw bad('Attribut contentType fehlt oder passt nicht');
  const md = attribute(si, OID.attrMessageDigest);
  if (!(md instanceof asn1js.OctetString) || !same(md.valueBlock.valueHexView, createHash(digest).update(eContent).digest())) {
    throw bad('messageDigest passt nicht zum Inhalt');
  }
  const protection = attribute(si, OID_CMS_ALGORITHM_PROTECTION);
  if (protection) {
    // RFC 6211: the algorithms named inside the signature must be the ones used.
    const parts = (protection as asn1js.Sequence).valueBlock.value as asn1js.AsnType[];
    const oids = parts.flatMap((p) => ((p as asn1js.Constructed).valueBlock?.value ?? []).filter((x) => x instanceof asn1js.ObjectIdentifier).map((x) => (x as asn1js.ObjectIdentifier).valueBlock.toString()));
    if (!oids.includes(si.digestAlgorithm.algorithmId) || !oids.includes(si.signatureAlgorithm.algorithmId)) throw bad('CMSAlgorithmProtection passt nicht zu den verwendeten Verfahren');
  }
  const signingTimeAttr = attribute(si, OID.attrSigningTime);
  const signingTime = signingTimeAttr instanceof asn1js.UTCTime || signingTimeAttr instanceof asn1js.GeneralizedTime ? signingTimeAttr.toDate() : undefined;

  const signer = findSignerCert(sd, si);
  checkSignature(si, signer, digest);
  const pin = checkPin(signer, opts.pins, opts.now);
  return { eContent, signer, pin, signingTime };
}
