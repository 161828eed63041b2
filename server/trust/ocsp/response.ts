/**
 * Parses an RFC 6960 OCSPResponse into plain data, keeping the exact tbsResponseData bytes the
 * signature covers. Nothing here is trusted yet: ./verify.ts decides.
 */
import { TrustError } from '../errors';
import { HASH_OIDS, OID, type HashName } from '../oids';
import { DerError, children, expectTag, readOid, readOne, readTime, type Tlv } from '../der';
import { TrustCert } from '../x509/certificate';
import type { CertId } from './certid';
import { readCertId } from './request';

export const RESPONSE_STATUS = ['successful', 'malformedRequest', 'internalError', 'tryLater', '(unused)', 'sigRequired', 'unauthorized'] as const;
export type OcspResponseStatus = (typeof RESPONSE_STATUS)[number];

export interface SingleStatus {
  /** null when the response uses a hash algorithm this service does not accept. */
  certId: CertId | null;
  status: 'good' | 'revoked' | 'unknown';
  revocationTime?: Date;
  thisUpdate: Date;
  nextUpdate?: Date;
  /** Common PKI CertHash extension (gemSpec_PKI: the responder's positive statement). */
  certHash?: { hash: HashName | null; value: Uint8Array };
}

export interface ParsedOcspResponse {
  status: OcspResponseStatus;
  basic?: {
    tbs: Uint8Array;
    signatureAlgorithm: string;
    signature: Uint8Array;
    responderId: { byName: Uint8Array } | { byKeyHash: Uint8Array };
    producedAt: Date;
    responses: SingleStatus[];
    nonce?: Uint8Array;
    certs: TrustCert[];
  };
}

function extensions(t: Tlv | undefined): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  if (!t) return out;
  for (const ext of children(expectTag(children(t)[0], 0x30, 'Extensions'))) {
    const parts = children(ext);
    const value = parts[parts.length - 1]!;
    out.set(readOid(parts[0]!), expectTag(value, 0x04, 'extnValue').value);
  }
  return out;
}

function readSingle(t: Tlv): SingleStatus {
  const [certIdT, statusT, thisUpdateT, ...rest] = children(expectTag(t, 0x30, 'SingleResponse'));
  if (!certIdT || !statusT || !thisUpdateT) throw new DerError('SingleResponse incomplete');
  let status: SingleStatus['status'];
  let revocationTime: Date | undefined;
  if (statusT.tag === 0x80) status = 'good';
  else if (statusT.tag === 0xa1) {
    status = 'revoked';
    revocationTime = readTime(children(statusT)[0]!);
  } else if (statusT.tag === 0x82) status = 'unknown';
  else throw new DerError(`unknown CertStatus tag 0x${statusT.tag.toString(16)}`);
  const next = rest.find((r) => r.tag === 0xa0);
  const exts = extensions(rest.find((r) => r.tag === 0xa1));
  const single: SingleStatus = {
    certId: readCertId(certIdT),
    status,
    revocationTime,
    thisUpdate: readTime(expectTag(thisUpdateT, 0x18, 'thisUpdate')),
    nextUpdate: next ? readTime(expectTag(children(next)[0], 0x18, 'nextUpdate')) : undefined,
  };
  const ch = exts.get(OID.certHash);
  if (ch) {
    const [alg, value] = children(readOne(ch));
    single.certHash = { hash: HASH_OIDS[readOid(children(alg!)[0]!)] ?? null, value: new Uint8Array(expectTag(value, 0x04, 'certificateHash').value) };
  }
  return single;
}

function readBasic(der: Uint8Array): NonNullable<ParsedOcspResponse['basic']> {
  const [tbsT, algT, sigT, certsT] = children(expectTag(readOne(der), 0x30, 'BasicOCSPResponse'));
  const tbsParts = children(expectTag(tbsT, 0x30, 'ResponseData'));
  let i = tbsParts[0]?.tag === 0xa0 ? 1 : 0; // version [0] DEFAULT v1
  const rid = tbsParts[i++]!;
  let responderId: { byName: Uint8Array } | { byKeyHash: Uint8Array };
  if (rid.tag === 0xa1) responderId = { byName: new Uint8Array(children(rid)[0]!.raw) };
  else if (rid.tag === 0xa2) responderId = { byKeyHash: new Uint8Array(expectTag(children(rid)[0], 0x04, 'KeyHash').value) };
  else throw new DerError('ResponderID');
  const producedAt = readTime(expectTag(tbsParts[i++], 0x18, 'producedAt'));
  const responses = children(expectTag(tbsParts[i++], 0x30, 'responses')).map(readSingle);
  const exts = extensions(tbsParts[i]?.tag === 0xa1 ? tbsParts[i] : undefined);
  const nonceExt = exts.get(OID.ocspNonce);
  let nonce: Uint8Array | undefined;
  if (nonceExt) {
    // RFC 8954: the nonce is an OCTET STRING inside extnValue; some responders omit that wrapper.
    try {
      const inner = readOne(nonceExt);
      nonce = inner.tag === 0x04 ? new Uint8Array(inner.value) : new Uint8Array(nonceExt);
    } catch {
      nonce = new Uint8Array(nonceExt);
    }
  }
  const sig = expectTag(sigT, 0x03, 'signature').value;
  if (sig[0] !== 0) throw new DerError('signature BIT STRING with unused bits');
  const certs = certsT ? children(expectTag(children(expectTag(certsT, 0xa0, 'certs'))[0], 0x30, 'certs')).map((c) => TrustCert.parse(c.raw, 'OCSP-Responder-Zertifikat')) : [];
  return {
    tbs: new Uint8Array(tbsT!.raw),
    signatureAlgorithm: readOid(children(expectTag(algT, 0x30, 'signatureAlgorithm'))[0]!),
    signature: new Uint8Array(sig.subarray(1)),
    responderId,
    producedAt,
    responses,
    nonce,
    certs,
  };
}

export function parseOcspResponse(der: Uint8Array): ParsedOcspResponse {
  try {
    const [statusT, bytesT] = children(expectTag(readOne(der), 0x30, 'OCSPResponse'));
    const code = expectTag(statusT, 0x0a, 'responseStatus').value[0] ?? 255;
    const status = RESPONSE_STATUS[code];
    if (!status || status === '(unused)') throw new DerError(`responseStatus ${code}`);
    if (status !== 'successful') return { status };
    const [typeT, respT] = children(expectTag(children(expectTag(bytesT, 0xa0, 'responseBytes'))[0], 0x30, 'ResponseBytes'));
    if (readOid(typeT!) !== OID.ocspBasic) throw new DerError('responseType is not id-pkix-ocsp-basic');
    return { status, basic: readBasic(expectTag(respT, 0x04, 'response').value) };
  } catch (e) {
    if (e instanceof TrustError) throw new TrustError('OCSP_RESPONSE_MALFORMED', `OCSP-Antwort: ${e.message}`, { cause: e });
    throw new TrustError('OCSP_RESPONSE_MALFORMED', `OCSP-Antwort nicht lesbar: ${(e as Error).message}`, { cause: e });
  }
}
