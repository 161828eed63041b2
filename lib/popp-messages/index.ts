export * from './schemas';
export { BDE, bdeByCode, bdeText, type BdeEntry, type BdeName, type BdeCode, type Lang } from './bde-codes';
export { MessageError, isMessageError, type MessageErrorCode } from './errors';
export { decodeClientMessage, decodeServerMessage, encodeClientMessage, encodeServerMessage } from './codec';
