import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { ascii } from '../../lib/bytes/bytes';
import type { CardCrypto, CurveName } from '../../lib/card-crypto/port';
import { encodeTlv } from '../../lib/tlv/tlv';
import { spkiFromPoint } from '../card/crypto-node';
import { plainToDerSignature } from '../card/ecdsa-der';
import { oidFromString } from '../card/oid';

export interface X509Key {
  curve: CurveName;
  privateKey: Uint8Array;
  publicKey: Uint8Array;
}

export interface NameAttr {
  /** 'C' | 'O' | 'OU' | 'CN' | 'SN' | 'GN' */
  type: 'C' | 'O' | 'OU' | 'CN' | 'SN' | 'GN';
  value: string;
}

const ATTR_OID: Record<NameAttr['type'], string> = { C: '2.5.4.6', O: '2.5.4.10', OU: '2.5.4.11', CN: '2.5.4.3', SN: '2.5.4.4', GN: '2.5.4.42' };
const ECDSA_SHA256 = '1.2.840.10045.4.3.2';

function name(attrs: NameAttr[]): pkijs.RelativeDistinguishedNames {
  return new pkijs.RelativeDistinguishedNames({
    typesAndValues: attrs.map(
      (a) =>
        new pkijs.AttributeTypeAndValue({
          type: ATTR_OID[a.type],
          // Like gematik's test certificates: C as PrintableString, everything else UTF8String.
          value: a.type === 'C' ? new asn1js.PrintableString({ value: a.value }) : new asn1js.Utf8String({ value: a.value }),
        }),
    ),
  });
}

function ext(oid: string, critical: boolean, der: Uint8Array | ArrayBuffer): pkijs.Extension {
  const bytes = der instanceof Uint8Array ? der : new Uint8Array(der);
  return new pkijs.Extension({ extnID: oid, critical, extnValue: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer });
}

function keyId(crypto: CardCrypto, point: Uint8Array): Uint8Array {
  return crypto.digest('SHA-1', point);
}

export interface IssueX509 {
  subject: NameAttr[];
  subjectKey: { curve: CurveName; publicKey: Uint8Array };
  issuer: NameAttr[];
  issuerKey: X509Key;
  notBefore: Date;
  notAfter: Date;
  serial: Uint8Array;
  ca: boolean;
  /** CH.AUT extras: policies, OCSP URL, admission profession. */
  policies?: string[];
  ocspUrl?: string;
  admission?: { professionItem: string; professionOid: string };
}

/**
 * Issues an X.509 certificate on brainpool curves. WebCrypto (and so @peculiar/x509) cannot
 * sign with brainpool keys, so pkijs builds the TBS and the card crypto port signs it.
 */
export function issueX509(crypto: CardCrypto, p: IssueX509): Uint8Array {
  const cert = new pkijs.Certificate();
  cert.version = 2;
  const serial = p.serial[0] & 0x80 ? Uint8Array.of(0, ...p.serial) : p.serial;
  cert.serialNumber = new asn1js.Integer({ valueHex: serial.slice().buffer });
  cert.signature = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_SHA256 });
  cert.signatureAlgorithm = new pkijs.AlgorithmIdentifier({ algorithmId: ECDSA_SHA256 });
  cert.issuer = name(p.issuer);
  cert.subject = name(p.subject);
  cert.notBefore = new pkijs.Time({ type: 0, value: p.notBefore });
  cert.notAfter = new pkijs.Time({ type: 0, value: p.notAfter });
  cert.subjectPublicKeyInfo = pkijs.PublicKeyInfo.fromBER(spkiFromPoint(p.subjectKey.curve, p.subjectKey.publicKey).slice().buffer as ArrayBuffer);
  const exts: pkijs.Extension[] = [
    ext('2.5.29.35', false, new pkijs.AuthorityKeyIdentifier({ keyIdentifier: new asn1js.OctetString({ valueHex: keyId(crypto, p.issuerKey.publicKey).slice().buffer }) }).toSchema().toBER()),
    ext('2.5.29.14', false, new asn1js.OctetString({ valueHex: keyId(crypto, p.subjectKey.publicKey).slice().buffer }).toBER()),
    ext('2.5.29.19', true, new pkijs.BasicConstraints({ cA: p.ca }).toSchema().toBER()),
    ext('2.5.29.15', true, new asn1js.BitString({ valueHex: Uint8Array.of(p.ca ? 0x06 : 0x80).buffer, unusedBits: p.ca ? 1 : 7 }).toBER()),
  ];
  if (p.policies?.length) {
    exts.push(
      ext('2.5.29.32', false, new pkijs.CertificatePolicies({ certificatePolicies: p.policies.map((oid) => new pkijs.PolicyInformation({ policyIdentifier: oid })) }).toSchema().toBER()),
    );
  }
  if (p.ocspUrl) {
    exts.push(
      ext(
        '1.3.6.1.5.5.7.1.1',
        false,
        new pkijs.InfoAccess({
          accessDescriptions: [new pkijs.AccessDescription({ accessMethod: '1.3.6.1.5.5.7.48.1', accessLocation: new pkijs.GeneralName({ type: 6, value: p.ocspUrl }) })],
        }).toSchema().toBER(),
      ),
    );
  }
  if (p.admission) {
    // AdmissionSyntax (Common PKI): contentsOfAdmissions { Admissions { professionInfos { ProfessionInfo { items, oids } } } }
    const info = encodeTlv(0x30, encodeTlv(0x30, encodeTlv(0x0c, ascii(p.admission.professionItem))), encodeTlv(0x30, encodeTlv(0x06, oidFromString(p.admission.professionOid))));
    exts.push(ext('1.3.36.8.3.3', false, encodeTlv(0x30, encodeTlv(0x30, encodeTlv(0x30, encodeTlv(0x30, info))))));
  }
  cert.extensions = exts;
  const tbs = new Uint8Array(cert.encodeTBS().toBER(false));
  cert.tbsView = tbs;
  const sig = plainToDerSignature(crypto.ecdsaSign(p.issuerKey.curve, p.issuerKey.privateKey, tbs));
  cert.signatureValue = new asn1js.BitString({ valueHex: sig.slice().buffer });
  return new Uint8Array(cert.toSchema(false).toBER(false));
}
