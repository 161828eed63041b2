import { describe, expect, it } from 'vitest';
import { Pairing } from './pairing';

describe('bridge pairing code', () => {
  it('locks pairing after five wrong codes, doubling per lockout, so six digits cannot be guessed in minutes', () => {
    let t = 0;
    const codes: string[] = [];
    const p = new Pairing((c) => codes.push(c), '123456', 5, 10_000, () => t);
    for (let i = 0; i < 5; i++) expect(p.tryCode('000000')).toBeUndefined();
    expect(codes).toHaveLength(1);
    // Locked: even the right (new) code is refused until the lock ends.
    expect(p.tryCode(codes[0])).toBeUndefined();
    t = 9_999;
    expect(p.lockedForMs).toBe(1);
    t = 10_000;
    for (let i = 0; i < 5; i++) p.tryCode('000000');
    expect(p.lockedForMs).toBe(20_000);
    t += 20_000;
    expect(p.tryCode(codes[1])).toMatch(/^[A-Za-z0-9_-]{43}$/);
    // A correct pairing resets the back-off.
    for (let i = 0; i < 5; i++) p.tryCode('000000');
    expect(p.lockedForMs).toBe(10_000);
  });

  it('caps the lock at 15 minutes', () => {
    let t = 0;
    const p = new Pairing(() => undefined, '123456', 5, 10_000, () => t);
    for (let round = 0; round < 12; round++) {
      for (let i = 0; i < 5; i++) p.tryCode('000000');
      t += p.lockedForMs;
    }
    for (let i = 0; i < 5; i++) p.tryCode('000000');
    expect(p.lockedForMs).toBe(15 * 60_000);
  });
});
