import { describe, expect, it } from 'vitest';
import { createRateLimiter } from './rate-limit';

describe('rate limiter', () => {
  it('allows `limit` calls per window and key, then refuses until the window ends', () => {
    let t = 0;
    const rl = createRateLimiter(3, 1000, () => t);
    expect([rl.take('a'), rl.take('a'), rl.take('a'), rl.take('a')]).toEqual([true, true, true, false]);
    expect(rl.take('b')).toBe(true);
    t = 999;
    expect(rl.take('a')).toBe(false);
    t = 1000;
    expect(rl.take('a')).toBe(true);
  });
});
