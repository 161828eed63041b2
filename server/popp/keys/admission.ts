/**
 * The Admission extension (ISIS-MTT / Common PKI, OID 1.3.36.8.3.3) carries the TI role of a
 * certificate's holder as profession OIDs. A PoPP token signer must hold `oid_popp-token`;
 * both our development CA (encode) and every verifier (decode) go through this one file.
 *
 *   AdmissionSyntax ::= SEQUENCE { admissionAuthority GeneralName OPTIONAL,
 *                                  contentsOfAdmissions SEQUENCE OF Admissions }
 *   Admissions      ::= SEQUENCE { admissionAuthority [0] EXPLICIT GeneralName OPTIONAL,
 *                                  namingAuthority [1] EXPLICIT NamingAuthority OPTIONAL,
 *                                  professionInfos SEQUENCE OF ProfessionInfo }
 *   ProfessionInfo  ::= SEQUENCE { namingAuthority [0] EXPLICIT NamingAuthority OPTIONAL,
 *                                  professionItems SEQUENCE OF DirectoryString,
 *                                  professionOIDs SEQUENCE OF OBJECT IDENTIFIER OPTIONAL,
 *                                  registrationNumber PrintableString OPTIONAL,
 *                                  addProfessionInfo OCTET STRING OPTIONAL }
 */
import * as asn1js from 'asn1js';

export const ADMISSION_OID = '1.3.36.8.3.3';
/** gemSpec_OID role of the PoPP token signer certificate. */
export const OID_POPP_TOKEN = '1.2.276.0.76.4.320';
/** Technical role of the PoPP-Service itself (not a token signer). */
export const OID_POPP = '1.2.276.0.76.4.293';

const UNIVERSAL = 1;
const SEQUENCE_TAG = 16;

export function encodeAdmission(roles: Array<{ item: string; oid: string }>): ArrayBuffer {
  const infos = roles.map(
    (r) =>
      new asn1js.Sequence({
        value: [
          new asn1js.Sequence({ value: [new asn1js.Utf8String({ value: r.item })] }),
          new asn1js.Sequence({ value: [new asn1js.ObjectIdentifier({ value: r.oid })] }),
        ],
      }),
  );
  const admissions = new asn1js.Sequence({ value: [new asn1js.Sequence({ value: infos })] });
  return new asn1js.Sequence({ value: [new asn1js.Sequence({ value: [admissions] })] }).toBER(false);
}

const isUniversalSequence = (b: asn1js.AsnType): b is asn1js.Sequence =>
  b instanceof asn1js.Sequence && b.idBlock.tagClass === UNIVERSAL && b.idBlock.tagNumber === SEQUENCE_TAG;

const children = (b: asn1js.AsnType): asn1js.AsnType[] => (isUniversalSequence(b) ? b.valueBlock.value : []);

/**
 * The profession OIDs named in an Admission extension value. Returns null when the value is
 * not a well-formed AdmissionSyntax, so callers can tell "no role" from "garbage".
 */
export function decodeAdmissionRoles(der: ArrayBuffer | Uint8Array): string[] | null {
  const parsed = asn1js.fromBER(der instanceof Uint8Array ? der.slice().buffer : der);
  if (parsed.offset === -1 || !isUniversalSequence(parsed.result)) return null;
  const top = children(parsed.result);
  const contents = top[top.length - 1];
  if (!contents || !isUniversalSequence(contents)) return null;
  const oids: string[] = [];
  for (const admissions of children(contents)) {
    // professionInfos is the only untagged SEQUENCE inside Admissions.
    const infos = children(admissions).find(isUniversalSequence);
    if (!infos) return null;
    for (const info of children(infos)) {
      const seqs = children(info).filter(isUniversalSequence);
      const oidSeq = seqs[1];
      if (!oidSeq) continue;
      for (const o of children(oidSeq)) {
        if (o instanceof asn1js.ObjectIdentifier) oids.push(o.valueBlock.toString());
      }
    }
  }
  return oids;
}
