import { CardError } from '../../../lib/apdu/errors';

/** A CVC date (BSI TR-03110 / gemSpec_COS): six bytes, one decimal digit each, YYMMDD, years 2000–2099. */
export interface CvcDate {
  year: number;
  month: number;
  day: number;
}

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

function leap(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function decodeCvcDate(bytes: Uint8Array): CvcDate {
  if (bytes.length !== 6 || bytes.some((b) => b > 9)) {
    throw new CardError('CVC_DATE_INVALID', 'CVC date must be 6 unpacked BCD digits', { details: { length: bytes.length } });
  }
  const year = 2000 + bytes[0] * 10 + bytes[1];
  const month = bytes[2] * 10 + bytes[3];
  const day = bytes[4] * 10 + bytes[5];
  if (month < 1 || month > 12 || day < 1 || day > DAYS[month - 1] || (month === 2 && day === 29 && !leap(year))) {
    throw new CardError('CVC_DATE_INVALID', 'CVC date is not a calendar date', { details: { year, month, day } });
  }
  return { year, month, day };
}

export function encodeCvcDate(d: CvcDate): Uint8Array {
  const y = d.year - 2000;
  const out = Uint8Array.of(Math.floor(y / 10), y % 10, Math.floor(d.month / 10), d.month % 10, Math.floor(d.day / 10), d.day % 10);
  decodeCvcDate(out);
  return out;
}

/** Sortable number YYYYMMDD. */
export function dateKey(d: CvcDate): number {
  return d.year * 10000 + d.month * 100 + d.day;
}

export function cvcDateFromJs(date: Date): CvcDate {
  return { year: date.getUTCFullYear(), month: date.getUTCMonth() + 1, day: date.getUTCDate() };
}

export function formatCvcDate(d: CvcDate): string {
  return `${d.year}-${String(d.month).padStart(2, '0')}-${String(d.day).padStart(2, '0')}`;
}

export function addYears(d: CvcDate, years: number): CvcDate {
  const day = d.month === 2 && d.day === 29 ? 28 : d.day;
  return { year: d.year + years, month: d.month, day };
}
