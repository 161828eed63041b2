import { SW } from '../../../lib/apdu/status-words';
import { concat } from '../../../lib/bytes/bytes';
import { encodeTlv } from '../../../lib/tlv/tlv';
import { persistentPublicKeys } from '../lookup';
import { type CardState, type Incoming, type Reply, reply } from '../state';

/**
 * LIST PUBLIC KEY (80 CA 01 00): one `E0 { 4F <AID>, B6|A4 { 83 <ref> } }` per key the
 * card holds — B6 for certificate-verification (CA) keys, A4 for authentication
 * keys — like the real card in trusted-channel.jsonl.
 */
export function listPublicKey(s: CardState, { cmd }: Incoming): Reply {
  if (cmd.p1 !== 0x01 || cmd.p2 !== 0x00) return reply(SW.WRONG_P1P2);
  if (cmd.ne === undefined) return reply(SW.WRONG_LENGTH);
  const aid = s.image.mf.aid ?? new Uint8Array(0);
  const entry = (tag: number, ref: Uint8Array) => encodeTlv(0xe0, encodeTlv(0x4f, aid), encodeTlv(tag, encodeTlv(0x83, ref)));
  const out: Uint8Array[] = [];
  for (const k of persistentPublicKeys(s)) out.push(entry(0xb6, k.keyRef));
  for (const k of s.importedKeys.values()) out.push(entry(k.role === 'end-entity' ? 0xa4 : 0xb6, k.chr));
  const data = concat(...out);
  if (data.length > cmd.ne) return reply(SW.WRONG_LENGTH);
  return reply(SW.NO_ERROR, data);
}
