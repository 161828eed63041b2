import { SW } from '../../../lib/apdu/status-words';
import { concat } from '../../../lib/bytes/bytes';
import { decide } from '../access-rules';
import { type CardState, type Incoming, type Reply, reply } from '../state';

const ELC_ROLE_AUTHENTICATION = 0x00;

/**
 * INTERNAL AUTHENTICATE with elcRoleAuthentication (contactless PoPP flow): ECDSA with
 * the selected key over τ = token ‖ 00, used directly as the hash value — as gematik's
 * virtual card signs it (popp-sample-code VirtualCardService.signInternalAuthenticationChallenge).
 */
export function internalAuthenticate(s: CardState, { cmd, security }: Incoming): Reply {
  if (cmd.p1 !== 0 || cmd.p2 !== 0) return reply(SW.WRONG_P1P2);
  const at = s.at;
  if (!at || at.algId !== ELC_ROLE_AUTHENTICATION) return reply(SW.CONDITIONS_NOT_SATISFIED);
  const d = decide(at.key.accessRules, 'CB', at.key.lifeCycleStatus, s.se, [cmd.cla, cmd.ins, cmd.p1, cmd.p2], security);
  if (!d.allowed) return reply(SW.SECURITY_STATUS_NOT_SATISFIED);
  if (cmd.data.length === 0 || cmd.data.length > 31) return reply(SW.WRONG_DATA);
  if (cmd.ne === undefined) return reply(SW.WRONG_LENGTH);
  const tau = concat(cmd.data, Uint8Array.of(0));
  return reply(SW.NO_ERROR, s.crypto.ecdsaSignPrehashed(at.key.curve, at.key.privateKey, tau), d.encryptResponse);
}
