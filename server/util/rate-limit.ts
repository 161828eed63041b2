/**
 * Fixed-window counters per key (client address, code): enough to keep one client
 * from filling the database with challenges or login bindings. In memory, so per
 * instance; a shared store comes with horizontal scaling.
 */
import type { IncomingMessage } from 'node:http';

export interface RateLimiter {
  /** True if the call is allowed (and counted). */
  take(key: string): boolean;
}

export function createRateLimiter(limit: number, windowMs: number, now: () => number = Date.now): RateLimiter {
  const windows = new Map<string, { start: number; count: number }>();
  return {
    take(key) {
      const t = now();
      if (windows.size > 50_000) for (const [k, w] of windows) if (t - w.start >= windowMs) windows.delete(k);
      const w = windows.get(key);
      if (!w || t - w.start >= windowMs) {
        windows.set(key, { start: t, count: 1 });
        return true;
      }
      w.count++;
      return w.count <= limit;
    },
  };
}

/** The client's address; X-Forwarded-For only when the operator says a trusted proxy sets it. */
export function clientAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const fwd = req.headers['x-forwarded-for'];
    const first = (Array.isArray(fwd) ? fwd[0] : fwd)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}
