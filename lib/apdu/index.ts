export { CardError, isCardError, type CardErrorCode } from './errors';
export {
  type CommandApdu,
  type ParsedCommandApdu,
  command,
  encodeCommand,
  parseCommand,
  withChaining,
  isChained,
  isSecureMessaging,
  NE_MAX_SHORT,
  NE_MAX_EXTENDED,
} from './command';
export { type ResponseApdu, parseResponse, encodeResponse, swOnly, swHex } from './response';
export { SW, type SwName, swName, describeSw, isSuccessOrWarning, EXPECTED_SW } from './status-words';
export {
  INS,
  AID,
  SFI,
  ALG_ID,
  selectMf,
  selectAid,
  selectEf,
  readBinary,
  listPublicKey,
  mseSetAt,
  mseSetDst,
  psoVerifyCertificate,
  generalAuthenticateStep1,
  generalAuthenticateStep2,
  internalAuthenticate,
} from './commands';
