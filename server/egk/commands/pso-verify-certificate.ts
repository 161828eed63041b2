import { SW } from '../../../lib/apdu/status-words';
import { equal, toHex } from '../../../lib/bytes';
import { curveForPointLength } from '../../../lib/card-crypto/curves';
import { type Cvc, parseCvcContent } from '../../card/cvc/cvc';
import { type CvcDate, dateKey, decodeCvcDate } from '../../card/cvc/date';
import { OID } from '../../card/oid';
import { decide } from '../access-rules';
import { findVerificationKey } from '../lookup';
import { type CardState, type Incoming, type Reply, reply } from '../state';

const FLAG_LIST_OIDS: Record<string, string> = { cvc_FlagList_TI: OID.CVC_FLAGLIST_TI, cvc_FlagList_CMS: OID.CVC_FLAGLIST_CMS };

/**
 * PSO VERIFY CERTIFICATE (00 2A 00 BE): verifies a CVC with the key chosen by MSE SET DST
 * and imports its public key under its CHR. The card has no clock: it rejects a CVC
 * whose CXD lies before its point in time and moves that point forward to a newer CED
 * (our reading of gemSpec_COS; see server/card/README.md).
 */
export function psoVerifyCertificate(s: CardState, { cmd, security }: Incoming): Reply {
  if (cmd.p1 !== 0x00 || cmd.p2 !== 0xbe) return reply(SW.WRONG_P1P2);
  if (!s.dst) return reply(SW.KEY_NOT_FOUND);
  const issuerKey = findVerificationKey(s, s.dst);
  if (!issuerKey) return reply(SW.KEY_NOT_FOUND);
  if (issuerKey.kind === 'persistent') {
    const d = decide(issuerKey.node.accessRules, 'CB', issuerKey.node.lifeCycleStatus, s.se, [cmd.cla, cmd.ins, cmd.p1, cmd.p2], security);
    if (!d.allowed) return reply(SW.SECURITY_STATUS_NOT_SATISFIED);
  } else if (issuerKey.key.role === 'end-entity') {
    return reply(SW.CONDITIONS_NOT_SATISFIED);
  }
  let cvc: Cvc;
  try {
    cvc = parseCvcContent(cmd.data);
  } catch {
    return reply(SW.WRONG_DATA);
  }
  const issuer =
    issuerKey.kind === 'persistent'
      ? { point: issuerKey.node.point, chat: issuerKey.node.chat ? { oid: FLAG_LIST_OIDS[issuerKey.node.chat.listName], flags: issuerKey.node.chat.flags } : undefined }
      : { point: issuerKey.key.point, chat: issuerKey.key.chat };
  if (!equal(cvc.car, s.dst)) return reply(SW.WRONG_DATA);
  let ok: boolean;
  try {
    ok = s.crypto.ecdsaVerify(curveForPointLength(issuer.point.length), issuer.point, cvc.body, cvc.signature);
  } catch {
    ok = false;
  }
  if (!ok) return reply(SW.VERIFICATION_ERROR);
  if (issuer.chat && issuer.chat.oid === cvc.chat.oid) {
    for (let i = 0; i < 7; i++) if ((cvc.chat.flags[i] & ~issuer.chat.flags[i]) !== 0) return reply(SW.VERIFICATION_ERROR);
  }
  if (dateKey(cvc.expirationDate) < dateKey(s.pointInTime)) return reply(SW.VERIFICATION_ERROR);
  if (dateKey(cvc.effectiveDate) > dateKey(s.pointInTime)) s.pointInTime = cvc.effectiveDate;
  s.importedKeys.set(toHex(cvc.chr), {
    chr: cvc.chr,
    point: cvc.publicKey.point,
    curve: cvc.publicKey.curve,
    chat: cvc.chat,
    role: cvc.role,
    expirationDate: cvc.expirationDate,
  });
  return reply(SW.NO_ERROR);
}

export function pointInTimeOf(bytes: Uint8Array | undefined, fallback: CvcDate): CvcDate {
  if (!bytes) return fallback;
  try {
    return decodeCvcDate(bytes);
  } catch {
    return fallback;
  }
}
