/**
 * Verified OCSP answers, kept until their nextUpdate (RFC 6960 §4.2.2.1: newer information is
 * not promised before then). Bounded: the oldest entry goes first when full. Clock injected
 * through the `now` arguments.
 */
import type { OcspStatus } from './verify';

interface Entry {
  status: OcspStatus;
  url: string;
  expiresAt: number;
}

export class OcspCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries = 50_000) {}

  get(key: string, now: Date): { status: OcspStatus; url: string } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (e.expiresAt <= now.getTime()) {
      this.entries.delete(key);
      return undefined;
    }
    return { status: e.status, url: e.url };
  }

  set(key: string, status: OcspStatus, url: string, expiresAt: Date): void {
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    this.entries.set(key, { status, url, expiresAt: expiresAt.getTime() });
  }

  clear(): void {
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }
}
