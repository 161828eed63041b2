/**
 * RFC 6960 §4.1 OCSPRequest with one CertID and optionally a nonce (RFC 8954: an OCTET STRING
 * of 1..32 bytes inside the extension value), and the decoder the test responder uses.
 */
import { DerError, children, expectTag, explicit, nullDer, octets, oid, readOid, readOne, seq, integer, type Tlv } from '../der';
import { TrustError } from '../errors';
import { HASH_OIDS, OID, OID_OF_HASH } from '../oids';
import type { CertId } from './certid';

export function encodeCertId(id: CertId): Uint8Array {
  return seq(seq(oid(OID_OF_HASH[id.hash]), nullDer()), octets(id.issuerNameHash), octets(id.issuerKeyHash), integer(id.serial));
}

export function encodeOcspRequest(certId: CertId, nonce?: Uint8Array): Uint8Array {
  const request = seq(encodeCertId(certId));
  const extensions = nonce ? [explicit(2, seq(seq(oid(OID.ocspNonce), octets(octets(nonce)))))] : [];
  return seq(seq(seq(request), ...extensions));
}

export interface DecodedOcspRequest {
  certIds: CertId[];
  nonce?: Uint8Array;
}

/** CertID (RFC 6960 §4.1.1) as requests and responses both carry it; null for a hash algorithm we do not know. */
export function readCertId(t: Tlv): CertId | null {
  const [alg, nameHash, keyHash, serial] = children(expectTag(t, 0x30, 'CertID'));
  const hash = HASH_OIDS[readOid(children(expectTag(alg, 0x30, 'hashAlgorithm'))[0]!)];
  if (!hash) return null;
  return {
    hash,
    issuerNameHash: new Uint8Array(expectTag(nameHash, 0x04, 'issuerNameHash').value),
    issuerKeyHash: new Uint8Array(expectTag(keyHash, 0x04, 'issuerKeyHash').value),
    serial: new Uint8Array(expectTag(serial, 0x02, 'serialNumber').value),
  };
}

/** For the test responder: the CertIDs asked for (known hash algorithms only) and the nonce, if any. */
export function decodeOcspRequest(der: Uint8Array): DecodedOcspRequest {
  try {
    const [tbs] = children(expectTag(readOne(der), 0x30, 'OCSPRequest'));
    const parts = children(expectTag(tbs, 0x30, 'TBSRequest')).filter((p) => p.tag !== 0xa0 && p.tag !== 0xa1);
    const [list, exts] = parts;
    const certIds = children(expectTag(list, 0x30, 'requestList'))
      .map((r) => readCertId(children(expectTag(r, 0x30, 'Request'))[0]!))
      .filter((c): c is CertId => c !== null);
    let nonce: Uint8Array | undefined;
    if (exts?.tag === 0xa2) {
      for (const ext of children(children(exts)[0]!)) {
        const p = children(ext);
        if (readOid(p[0]!) !== OID.ocspNonce) continue;
        const value = expectTag(p[p.length - 1], 0x04, 'extnValue').value;
        const inner = readOne(value);
        nonce = new Uint8Array(inner.tag === 0x04 ? inner.value : value);
      }
    }
    return { certIds, nonce };
  } catch (e) {
    if (e instanceof DerError) throw new TrustError('OCSP_RESPONSE_MALFORMED', `OCSP-Anfrage ungültig: ${e.message}`, { cause: e });
    throw e;
  }
}
