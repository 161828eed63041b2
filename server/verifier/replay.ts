/**
 * ePA accepts a PoPP token once (A_27671). The verifier remembers what it has accepted under
 * the ePA profile; a persistent store (SQLite, Redis …) implements the same interface so that
 * several instances and restarts share one memory.
 */
export interface ReplayStore {
  /**
   * Atomically records `id` as used until `expiresAt` (Unix seconds). Returns true if it was
   * new, false if it had been recorded before. May throw when the store cannot answer; the
   * verifier then refuses the token (fail closed).
   */
  markUsed(id: string, expiresAt: number): Promise<boolean> | boolean;
}

export class ReplayStoreFullError extends Error {}

/** For one process. Entries expire when the token could no longer be accepted anyway. */
export class MemoryReplayStore implements ReplayStore {
  private readonly seen = new Map<string, number>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(opts: { maxEntries?: number; now?: () => number } = {}) {
    this.maxEntries = opts.maxEntries ?? 1_000_000;
    this.now = opts.now ?? (() => Math.floor(Date.now() / 1000));
  }

  get size(): number {
    return this.seen.size;
  }

  markUsed(id: string, expiresAt: number): boolean {
    const now = this.now();
    const prev = this.seen.get(id);
    if (prev !== undefined && prev >= now) return false;
    if (this.seen.size >= this.maxEntries) this.sweep(now);
    // Refusing to remember would let a replay through; refusing the token is the safe side.
    if (this.seen.size >= this.maxEntries) throw new ReplayStoreFullError('replay store full');
    this.seen.set(id, expiresAt);
    return true;
  }

  private sweep(now: number): void {
    for (const [k, exp] of this.seen) if (exp < now) this.seen.delete(k);
  }
}
