export type { CardCrypto, CurveName, HashName, EcKeyPair } from './port';
export { CURVES, type CurveInfo, curveForPointLength, curveInfo, assertUncompressedPoint, assertPrivateKey } from './curves';
export { aesCmac } from './cmac';
export { nobleCardCrypto } from './noble';
