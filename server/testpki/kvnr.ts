import { CardError } from '../../lib/apdu/errors';

/**
 * Check digit of the unchangeable KVNR part (letter + 8 digits + check digit): the letter
 * becomes its two-digit alphabet position, weights 1,2,1,2,… over the ten digits, digit sums
 * of the products added up, modulo 10. X110540756 (gematik's test card) checks out.
 */
export function kvnrCheckDigit(letter: string, eightDigits: string): number {
  if (!/^[A-Z]$/.test(letter) || !/^[0-9]{8}$/.test(eightDigits)) {
    throw new CardError('PKI_INVALID_REQUEST', 'KVNR needs a capital letter and 8 digits');
  }
  const digits = (String(letter.charCodeAt(0) - 64).padStart(2, '0') + eightDigits).split('').map(Number);
  let sum = 0;
  digits.forEach((d, i) => {
    const p = d * (i % 2 === 0 ? 1 : 2);
    sum += Math.floor(p / 10) + (p % 10);
  });
  return sum % 10;
}

export function isValidKvnr(kvnr: string): boolean {
  return /^[A-Z][0-9]{9}$/.test(kvnr) && kvnrCheckDigit(kvnr[0], kvnr.slice(1, 9)) === Number(kvnr[9]);
}

/** Deterministic test KVNRs: letter T (test) + serial + check digit. */
export function testKvnr(serial: number): string {
  const body = String(serial % 1e8).padStart(8, '0');
  return `T${body}${kvnrCheckDigit('T', body)}`;
}
