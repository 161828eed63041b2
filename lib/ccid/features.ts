/**
 * dwFeatures bits, CCID Rev 1.1 §5.1 (names as in CCIDdrv src/ccid.h).
 * Only the exchange level and the automatic behaviours the driver relies on
 * are interpreted; the rest is kept for diagnostics.
 */
export const FEATURE_AUTO_PARAMETERS_FROM_ATR = 0x00000002;
export const FEATURE_AUTO_ACTIVATION = 0x00000004;
export const FEATURE_AUTO_VOLTAGE = 0x00000008;
export const FEATURE_AUTO_CLOCK = 0x00000010;
export const FEATURE_AUTO_BAUD = 0x00000020;
export const FEATURE_AUTO_PARAMETER_NEGOTIATION = 0x00000040;
export const FEATURE_AUTO_PPS = 0x00000080;
export const FEATURE_CLOCK_STOP = 0x00000100;
export const FEATURE_NAD_OTHER_THAN_ZERO = 0x00000200;
export const FEATURE_AUTO_IFSD = 0x00000400;

export const FEATURE_EXCHANGE_MASK = 0x00070000;
export const FEATURE_LEVEL_TPDU = 0x00010000;
export const FEATURE_LEVEL_SHORT_APDU = 0x00020000;
export const FEATURE_LEVEL_EXTENDED_APDU = 0x00040000;

export type ExchangeLevel = 'character' | 'tpdu' | 'short-apdu' | 'extended-apdu';

/**
 * Exchange level from dwFeatures. No level bit means character level. Should a
 * reader set several bits, the highest is taken: APDU level includes what TPDU
 * offers from the host's point of view.
 */
export function exchangeLevel(features: number): ExchangeLevel {
  const level = features & FEATURE_EXCHANGE_MASK;
  if (level & FEATURE_LEVEL_EXTENDED_APDU) return 'extended-apdu';
  if (level & FEATURE_LEVEL_SHORT_APDU) return 'short-apdu';
  if (level & FEATURE_LEVEL_TPDU) return 'tpdu';
  return 'character';
}

export function withExchangeLevel(features: number, level: ExchangeLevel): number {
  const bits =
    level === 'extended-apdu'
      ? FEATURE_LEVEL_EXTENDED_APDU
      : level === 'short-apdu'
        ? FEATURE_LEVEL_SHORT_APDU
        : level === 'tpdu'
          ? FEATURE_LEVEL_TPDU
          : 0;
  return (features & ~FEATURE_EXCHANGE_MASK) | bits;
}

/** Whether the reader negotiates speed itself, so the card runs at TA1 rather than the default Fd/Dd. */
export function readerDoesPps(features: number): boolean {
  return (features & (FEATURE_AUTO_PPS | FEATURE_AUTO_PARAMETER_NEGOTIATION)) !== 0;
}
