import { NE_MAX_EXTENDED, NE_MAX_SHORT } from '../../../lib/apdu/command';
import { SW } from '../../../lib/apdu/status-words';
import { decide } from '../access-rules';
import { childEf } from '../lookup';
import { type CardState, type Incoming, type Reply, reply } from '../state';

/**
 * READ BINARY: P1 b8 set = SFI in b5..b1 with P2 the offset (and the EF becomes
 * current), else P1P2 = 15-bit offset into the current EF. Governed by the EF's
 * access rules. Offset at or past the logical end answers 6B00 (as the real card in
 * read-certs.jsonl); an explicit Ne beyond the end returns the rest with 6282,
 * while Le 00 / 0000 ("as much as there is") returns it with 9000.
 */
export function readBinary(s: CardState, { cmd, security }: Incoming): Reply {
  if (cmd.data.length !== 0) return reply(SW.WRONG_LENGTH);
  if (cmd.ne === undefined) return reply(SW.WRONG_LENGTH);
  let offset: number;
  let ef = s.currentEf;
  if (cmd.p1 & 0x80) {
    if (cmd.p1 & 0x60) return reply(SW.WRONG_P1P2);
    const sfi = cmd.p1 & 0x1f;
    ef = childEf(s.currentDf, (e) => e.sfi === sfi);
    if (!ef) return reply(SW.FILE_NOT_FOUND);
    s.currentEf = ef;
    offset = cmd.p2;
  } else {
    if (!ef) return reply(SW.NO_CURRENT_EF);
    offset = (cmd.p1 << 8) | cmd.p2;
  }
  if (ef.structure !== 'transparent') return reply(SW.WRONG_FILE_TYPE);
  const d = decide(ef.accessRules, 'CB', ef.lifeCycleStatus, s.se, [cmd.cla, cmd.ins, cmd.p1, cmd.p2], security);
  if (!d.allowed) return reply(SW.SECURITY_STATUS_NOT_SATISFIED);
  if (ef.lifeCycleStatus !== 'ACTIVATED') return reply(SW.SECURITY_STATUS_NOT_SATISFIED);
  if (offset >= ef.body.length) return reply(SW.OFFSET_TOO_BIG);
  const data = ef.body.slice(offset, offset + cmd.ne);
  const wildcard = cmd.ne === NE_MAX_SHORT || cmd.ne === NE_MAX_EXTENDED;
  const sw = data.length < cmd.ne && !wildcard ? SW.END_OF_FILE_WARNING : SW.NO_ERROR;
  return reply(sw, data, d.encryptResponse);
}
