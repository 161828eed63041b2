/**
 * The Admission extension (Common PKI, 1.3.36.8.3.3) carries a TI certificate's roles as
 * professionOIDs. Structure (Common PKI Part 1, AdmissionSyntax):
 *   AdmissionSyntax ::= SEQUENCE { admissionAuthority GeneralName OPTIONAL, contentsOfAdmissions SEQUENCE OF Admissions }
 *   Admissions      ::= SEQUENCE { [0] authority OPTIONAL, [1] namingAuthority OPTIONAL, professionInfos SEQUENCE OF ProfessionInfo }
 *   ProfessionInfo  ::= SEQUENCE { [0] namingAuthority OPTIONAL, professionItems SEQUENCE OF DirectoryString,
 *                                  professionOIDs SEQUENCE OF OBJECT IDENTIFIER OPTIONAL, ... }
 * Only professionOIDs count: a naming authority also carries an OID and must not pass as a role.
 */
import { children, oid, readOid, readOne, seq, tlv, type Tlv } from '../der';

const seqKids = (t: Tlv | undefined): Tlv[] => (t && t.tag === 0x30 ? children(t) : []);

export function decodeAdmissionRoles(extnValue: Uint8Array): string[] {
  let top: Tlv[];
  try {
    top = seqKids(readOne(extnValue));
  } catch {
    return [];
  }
  const roles: string[] = [];
  for (const admission of seqKids(top[top.length - 1])) {
    const parts = seqKids(admission);
    for (const info of seqKids(parts[parts.length - 1])) {
      for (const field of seqKids(info)) {
        const items = seqKids(field);
        if (items.length > 0 && items.every((i) => i.tag === 0x06)) roles.push(...items.map(readOid));
      }
    }
  }
  return roles;
}

/** DER of an Admission extension value with one ProfessionInfo (used by the test PKI). */
export function encodeAdmission(professionItem: string, professionOids: string[]): Uint8Array {
  const info = seq(seq(tlv(0x0c, Buffer.from(professionItem, 'utf8'))), seq(...professionOids.map(oid)));
  return seq(seq(seq(seq(info))));
}

