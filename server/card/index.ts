export { CardError, isCardError, type CardErrorCode } from '../../lib/apdu/errors';
export { nodeCardCrypto, importEcPrivateKey, exportEcPrivateKeyPem, exportEcPublicKeyPem, spkiFromPoint } from './crypto-node';
export { type Cvc, type CvcRole, parseCvc, parseCvcContent, describeKeyRef } from './cvc/cvc';
export { type CvcDate, decodeCvcDate, encodeCvcDate, cvcDateFromJs, formatCvcDate, dateKey } from './cvc/date';
export { type CvcFields, encodeCvcBody, assembleCvc, encodeCvc, issueCvc } from './cvc/encode';
export { type TrustAnchor, type ChainOptions, type Validity, verifyCvcSignature, assertCvcSignature, verifyChain, validityAt, chatIsSubset } from './cvc/verify';
export { certificatesToImport } from './cvc/chain';
export { type SessionKeys, deriveSessionKeys, serviceSharedSecret, cardSharedSecret } from './elc';
export { SecureMessaging, type UnwrappedCommand, type UnwrappedResponse, type WrapOptions } from './sm/secure-messaging';
export {
  type ScenarioStep,
  type PublicKeyEntry,
  EGK_AUT_CVC_KEY_REF,
  buildOpenEgkSteps,
  buildReadCvcSteps,
  buildTrustedChannelSteps,
  buildGa2Step,
  buildSecureReadChAutSteps,
  parseListPublicKey,
  parseGa1Response,
  establishTrustedChannel,
} from './trusted-channel';
export { type ChAut, parseChAut } from './chaut';
export { plainToDerSignature, derToPlainSignature } from './ecdsa-der';
export { OID, oidToString, oidFromString } from './oid';
