import { SW } from '../../../lib/apdu/status-words';
import { parseTlvs, type Tlv } from '../../../lib/tlv/tlv';
import { findPrivateKey, findVerificationKey } from '../lookup';
import { type CardState, type Incoming, type Reply, reply } from '../state';

/** Algorithm identifiers by name as the image lists them (gemSpec_COS Tab.268 via lib-smartcards EafiCosAlgId). */
const ALG_IDS: Record<string, number> = { elcRoleAuthentication: 0x00, elcSessionkey4SM: 0x54, elcAsynchronAdmin: 0xf4 };

/**
 * MSE SET (not governed by object access rules):
 * 41 A4 = AT with 84 private key reference and 80 algorithm (trusted channel, INTERNAL AUTHENTICATE);
 * 81 B6 = DST with 83 reference of the key that verifies the next CVC.
 */
export function mseSet(s: CardState, { cmd }: Incoming): Reply {
  let dos: Tlv[];
  try {
    dos = parseTlvs(cmd.data);
  } catch {
    return reply(SW.WRONG_DATA);
  }
  const get = (tag: number) => dos.find((d) => d.tag === tag)?.value;
  const p1p2 = (cmd.p1 << 8) | cmd.p2;
  if (p1p2 === 0x41a4) {
    const ref = get(0x84);
    const alg = get(0x80);
    if (!ref || ref.length !== 1 || !alg || alg.length !== 1) return reply(SW.WRONG_DATA);
    const key = findPrivateKey(s, ref[0]);
    if (!key) return reply(SW.KEY_NOT_FOUND);
    if (!key.algorithms.some((a) => ALG_IDS[a] === alg[0])) return reply(SW.WRONG_DATA);
    s.at = { key, algId: alg[0] };
    s.ga = undefined;
    return reply(SW.NO_ERROR);
  }
  if (p1p2 === 0x81b6) {
    const ref = get(0x83);
    if (!ref || (ref.length !== 8 && ref.length !== 12)) return reply(SW.WRONG_DATA);
    if (!findVerificationKey(s, ref)) return reply(SW.KEY_NOT_FOUND);
    s.dst = ref;
    return reply(SW.NO_ERROR);
  }
  return reply(SW.FUNCTION_NOT_SUPPORTED);
}
