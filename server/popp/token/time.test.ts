import { describe, expect, it } from 'vitest';
import { endOfUtcQuarter } from './time';

const s = (iso: string) => Date.parse(iso) / 1000;

describe('endOfUtcQuarter', () => {
  it.each([
    ['2025-01-01T00:00:00Z', '2025-04-01T00:00:00Z'],
    ['2025-03-31T23:59:59Z', '2025-04-01T00:00:00Z'],
    ['2025-04-01T00:00:00Z', '2025-07-01T00:00:00Z'],
    ['2025-09-30T12:00:00Z', '2025-10-01T00:00:00Z'],
    ['2025-12-31T23:59:59Z', '2026-01-01T00:00:00Z'],
    ['2024-02-29T10:00:00Z', '2024-04-01T00:00:00Z'],
  ])('%s → %s', (t, end) => expect(endOfUtcQuarter(s(t))).toBe(s(end)));
  it('ignores the local time zone (CET midnight is still Q4 in UTC)', () => {
    expect(endOfUtcQuarter(s('2025-12-31T23:30:00Z'))).toBe(s('2026-01-01T00:00:00Z'));
  });
});
