import { sha256b64u, randomToken } from '../util/crypto';

/**
 * A consent code is ≥128 bit of randomness in base64url: short enough for a QR code
 * of its URL at error-correction level M, long enough that guessing is hopeless
 * within its five minutes. Only its hash is stored.
 */
export const CONSENT_CODE_PATTERN = /^[A-Za-z0-9_-]{22,43}$/;

export function newConsentCode(bytes: number): { code: string; hash: string } {
  const code = randomToken(bytes);
  return { code, hash: hashConsentCode(code) };
}

export const hashConsentCode = (code: string): string => sha256b64u(`consent-code:${code}`);

export function consentUrl(publicUrl: string, code: string): string {
  return `${publicUrl}/c/${code}`;
}
