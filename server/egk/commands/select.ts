import { SW } from '../../../lib/apdu/status-words';
import { encodeTlv } from '../../../lib/tlv/tlv';
import type { DfNode, EfNode } from '../image';
import { childDf, childEf, findDfByAid } from '../lookup';
import { type CardState, type Incoming, type Reply, reply } from '../state';

const u16 = (n: number) => Uint8Array.of(n >> 8, n & 0xff);

/** FCP template (ISO 7816-4 §7.4; gemSpec_COS adds C5 = logical end of a transparent EF). */
export function fcpOf(obj: DfNode | EfNode): Uint8Array {
  const lcs = encodeTlv(0x8a, Uint8Array.of(obj.lifeCycleStatus === 'ACTIVATED' ? 0x05 : 0x04));
  if (obj.kind === 'df') {
    return encodeTlv(
      0x62,
      encodeTlv(0x82, Uint8Array.of(0x38)),
      ...(obj.fid !== undefined ? [encodeTlv(0x83, u16(obj.fid))] : []),
      ...(obj.aid ? [encodeTlv(0x84, obj.aid)] : []),
      lcs,
    );
  }
  const transparent = obj.structure === 'transparent';
  return encodeTlv(
    0x62,
    encodeTlv(0x80, u16(obj.size)),
    encodeTlv(0x82, Uint8Array.of(transparent ? 0x41 : 0x05)),
    ...(obj.fid !== undefined ? [encodeTlv(0x83, u16(obj.fid))] : []),
    ...(obj.sfi !== undefined ? [encodeTlv(0x88, Uint8Array.of(obj.sfi << 3))] : []),
    lcs,
    ...(transparent ? [encodeTlv(0xc5, u16(obj.body.length))] : []),
  );
}

function selected(s: CardState, obj: DfNode | EfNode, p2: number, ne: number | undefined): Reply {
  if (obj.kind === 'df') {
    s.currentDf = obj;
    s.currentEf = undefined;
  } else {
    s.currentEf = obj;
  }
  const deactivated = obj.lifeCycleStatus !== 'ACTIVATED';
  const sw = deactivated ? SW.FILE_DEACTIVATED : SW.NO_ERROR;
  if (p2 === 0x0c) return reply(sw);
  const fcp = fcpOf(obj);
  if (ne === undefined) return reply(SW.WRONG_LENGTH);
  return reply(sw, fcp.slice(0, ne));
}

/**
 * SELECT (not governed by access rules): P1 04 by AID (no data = MF), 00 MF/child by FID,
 * 01 child DF, 02 EF in the current DF, 03 parent DF; P2 0C no data or 04 FCP.
 */
export function select(s: CardState, { cmd }: Incoming): Reply {
  const { p1, p2, data } = cmd;
  if (p2 !== 0x0c && p2 !== 0x04) return reply(SW.WRONG_P1P2);
  if (p2 === 0x0c && cmd.ne !== undefined) return reply(SW.WRONG_LENGTH);
  switch (p1) {
    case 0x04: {
      if (data.length === 0) return selected(s, s.image.mf, p2, cmd.ne);
      if (data.length > 16) return reply(SW.WRONG_LENGTH);
      const df = findDfByAid(s, data);
      return df ? selected(s, df, p2, cmd.ne) : reply(SW.FILE_NOT_FOUND);
    }
    case 0x00:
    case 0x01:
    case 0x02: {
      if (data.length !== 2) return reply(SW.WRONG_LENGTH);
      const fid = (data[0] << 8) | data[1];
      if (p1 === 0x00 && fid === 0x3f00) return selected(s, s.image.mf, p2, cmd.ne);
      const target: DfNode | EfNode | undefined =
        p1 === 0x01
          ? childDf(s.currentDf, fid)
          : p1 === 0x02
            ? childEf(s.currentDf, (e) => e.fid === fid)
            : (childDf(s.currentDf, fid) ?? childEf(s.currentDf, (e) => e.fid === fid));
      return target ? selected(s, target, p2, cmd.ne) : reply(SW.FILE_NOT_FOUND);
    }
    case 0x03: {
      if (data.length !== 0) return reply(SW.WRONG_LENGTH);
      const parent = s.parents.get(s.currentDf);
      return parent ? selected(s, parent, p2, cmd.ne) : reply(SW.FILE_NOT_FOUND);
    }
    default:
      return reply(SW.WRONG_P1P2);
  }
}
