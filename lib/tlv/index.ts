export type { Tlv } from './tlv';
export { readTlv, parseTlvs, parseSingleTlv, findTlv, requireTlv, tagBytes, encodeLength, encodeTlv } from './tlv';
