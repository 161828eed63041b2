export { toHex, fromHex } from './hex';
export {
  concat,
  equal,
  constantTimeEqual,
  slice,
  u16be,
  readU16be,
  bigintToBytes,
  bytesToBigint,
  leftPad,
  ascii,
  latin1,
} from './bytes';
