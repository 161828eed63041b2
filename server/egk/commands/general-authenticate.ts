import { isChained } from '../../../lib/apdu/command';
import { SW } from '../../../lib/apdu/status-words';
import { toHex } from '../../../lib/bytes';
import { parseSingleTlv, parseTlvs, encodeTlv } from '../../../lib/tlv/tlv';
import { cardSharedSecret, deriveSessionKeys } from '../../card/elc';
import { SecureMessaging } from '../../card/sm/secure-messaging';
import { decide } from '../access-rules';
import { type CardState, type Incoming, type Reply, reply } from '../state';

const ELC_SESSIONKEY_4SM = 0x54;

/** The single DO inside the dynamic authentication template 7C, or null. */
function innerDo(data: Uint8Array, tag: number): Uint8Array | null {
  try {
    const dos = parseTlvs(parseSingleTlv(data, 0x7c).value);
    return dos.length === 1 && dos[0].tag === tag ? dos[0].value : null;
  } catch {
    return null;
  }
}

/**
 * GENERAL AUTHENTICATE for the ELC trusted channel (gemSpec_COS (N085.012)/(N085.016) as cited
 * in lib-smartcards): step 1 (chained CLA) names the service's imported end-entity key by CHR
 * and returns the card's ephemeral key; step 2 carries the service's ephemeral key, after which
 * both sides hold KD = ECDH(card static, service eph) ‖ ECDH(card eph, service static)
 * and secure messaging starts with SSC 0.
 */
export function generalAuthenticate(s: CardState, { cmd, security }: Incoming): Reply {
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return reply(SW.WRONG_P1P2);
  const at = s.at;
  if (!at || at.algId !== ELC_SESSIONKEY_4SM) return reply(SW.CONDITIONS_NOT_SATISFIED);
  const d = decide(at.key.accessRules, 'CB', at.key.lifeCycleStatus, s.se, [cmd.cla, cmd.ins, cmd.p1, cmd.p2], security);
  if (!d.allowed) return reply(SW.SECURITY_STATUS_NOT_SATISFIED);
  if (isChained(cmd.cla)) {
    s.ga = undefined;
    const chr = innerDo(cmd.data, 0xc3);
    if (!chr) return reply(SW.WRONG_DATA);
    const peer = s.importedKeys.get(toHex(chr));
    if (!peer || peer.role !== 'end-entity') return reply(SW.KEY_NOT_FOUND);
    if (peer.curve !== at.key.curve) return reply(SW.WRONG_DATA);
    if (cmd.ne === undefined) return reply(SW.WRONG_LENGTH);
    const ephemeral = s.newEphemeralKeyPair(at.key.curve);
    s.ga = { peer, ephemeral };
    return reply(SW.NO_ERROR, encodeTlv(0x7c, encodeTlv(0x85, ephemeral.publicKey)));
  }
  const ga = s.ga;
  s.ga = undefined;
  if (!ga) return reply(SW.CONDITIONS_NOT_SATISFIED);
  const peerEphemeral = innerDo(cmd.data, 0x85);
  if (!peerEphemeral || !s.crypto.isValidPublicKey(at.key.curve, peerEphemeral)) return reply(SW.WRONG_DATA);
  const kd = cardSharedSecret(s.crypto, {
    cardStaticPrivate: at.key.privateKey,
    cardEphemeralPrivate: ga.ephemeral.privateKey,
    serviceEphemeralPublic: peerEphemeral,
    serviceStaticPublic: ga.peer.point,
  });
  s.sm = { session: new SecureMessaging(s.crypto, deriveSessionKeys(s.crypto, kd)), chat: ga.peer.chat };
  return reply(SW.NO_ERROR);
}
