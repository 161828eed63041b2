import { describe, expect, it } from 'vitest';
import { MemoryReplayStore, ReplayStoreFullError } from './replay';

describe('MemoryReplayStore', () => {
  it('answers true once, false for a repeat until the entry expires', () => {
    let now = 1000;
    const s = new MemoryReplayStore({ now: () => now });
    expect(s.markUsed('a', 1010)).toBe(true);
    expect(s.markUsed('a', 1010)).toBe(false);
    now = 1010;
    expect(s.markUsed('a', 1020)).toBe(false); // bound inclusive
    now = 1011;
    expect(s.markUsed('a', 1020)).toBe(true);
  });

  it('sweeps expired entries when full and refuses (throws) when everything is still live', () => {
    let now = 0;
    const s = new MemoryReplayStore({ maxEntries: 2, now: () => now });
    s.markUsed('a', 5);
    s.markUsed('b', 50);
    now = 10;
    expect(s.markUsed('c', 60)).toBe(true); // 'a' swept
    expect(s.size).toBe(2);
    expect(() => s.markUsed('d', 60)).toThrow(ReplayStoreFullError);
  });
});
