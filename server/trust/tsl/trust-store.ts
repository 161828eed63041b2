/**
 * Holds the TSL in use and renews it on a schedule without a restart. A new list replaces the
 * current one only when it verifies, is pinned, is current and is not older (sequence number);
 * otherwise the last good list stays and an alarm goes out. Timer and clock are injected, so
 * tests drive reloads by hand.
 */
import { TrustError, type TrustErrorCode } from '../errors';
import { loadTsl, type TslSignerPin } from './load';
import type { TiRoot } from './roots';
import type { TrustSnapshot, TslInfo } from './snapshot';

export interface TrustAlarm {
  kind: 'tsl-rejected' | 'tsl-fetch-failed' | 'tsl-in-use-expired';
  code: TrustErrorCode;
  message: string;
  at: Date;
  /** The list still in use (null if there is none). */
  kept: Pick<TslInfo, 'sequenceNumber' | 'nextUpdate' | 'sha256'> | null;
}

export interface TrustStoreTimer {
  setInterval(fn: () => void, ms: number): unknown;
  clearInterval(handle: unknown): void;
}

export interface TrustStoreOptions {
  /** Returns the TSL file: read from disk, or downloaded from the TSL service. */
  fetchTsl: () => Promise<Uint8Array | string>;
  pin: TslSignerPin;
  roots: readonly TiRoot[];
  now: () => Date;
  /** Reload period; gemSpec_PKI has the TSL checked for updates at least daily. Default 1 h. */
  reloadEveryMs?: number;
  timer?: TrustStoreTimer;
  onAlarm?: (alarm: TrustAlarm) => void;
  onLoaded?: (info: TslInfo) => void;
}

export type ReloadOutcome = { ok: true; info: TslInfo; replaced: boolean } | { ok: false; error: TrustError };

const realTimer: TrustStoreTimer = {
  setInterval: (fn, ms) => {
    const h = setInterval(fn, ms);
    h.unref?.();
    return h;
  },
  clearInterval: (h) => clearInterval(h as NodeJS.Timeout),
};

export class TrustStore {
  private snapshot: TrustSnapshot | null = null;
  private handle: unknown = null;
  private running: Promise<ReloadOutcome> | null = null;
  private expiredAlarmFor: TrustSnapshot | null = null;
  private readonly opts: TrustStoreOptions;

  constructor(opts: TrustStoreOptions) {
    this.opts = opts;
  }

  /** First load: without a valid TSL there is no trust decision, so this throws. */
  async init(): Promise<TrustSnapshot> {
    const outcome = await this.reload();
    if (!outcome.ok) throw outcome.error;
    return this.snapshot!;
  }

  /** Fetches and checks the TSL; never throws. Concurrent calls share one run. */
  reload(): Promise<ReloadOutcome> {
    this.running ??= this.doReload().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async doReload(): Promise<ReloadOutcome> {
    const now = this.opts.now();
    let file: Uint8Array | string;
    try {
      file = await this.opts.fetchTsl();
    } catch (e) {
      const error = new TrustError('TSL_FETCH_FAILED', `TSL nicht abrufbar: ${(e as Error).message}`, { cause: e });
      this.alarm('tsl-fetch-failed', error, now);
      return { ok: false, error };
    }
    try {
      const next = loadTsl(file, { pin: this.opts.pin, roots: this.opts.roots, now });
      const cur = this.snapshot?.info;
      if (cur && next.info.sha256 === cur.sha256) return { ok: true, info: cur, replaced: false };
      if (cur && next.info.sequenceNumber < cur.sequenceNumber) {
        throw new TrustError('TSL_OUTDATED', `TSL ${next.info.sequenceNumber} ist älter als die verwendete ${cur.sequenceNumber}`);
      }
      this.snapshot = next;
      this.opts.onLoaded?.(next.info);
      return { ok: true, info: next.info, replaced: true };
    } catch (e) {
      const error = e instanceof TrustError ? e : new TrustError('TSL_MALFORMED', `TSL nicht verarbeitbar: ${(e as Error).message}`, { cause: e });
      this.alarm('tsl-rejected', error, now);
      return { ok: false, error };
    }
  }

  private alarm(kind: TrustAlarm['kind'], error: TrustError, at: Date): void {
    const kept = this.snapshot?.info ?? null;
    this.opts.onAlarm?.({
      kind,
      code: error.code,
      message: error.message,
      at,
      kept: kept && { sequenceNumber: kept.sequenceNumber, nextUpdate: kept.nextUpdate, sha256: kept.sha256 },
    });
  }

  /**
   * The list to decide with. Refuses (TSL_UNAVAILABLE) when none was ever loaded or the kept one
   * has itself passed NextUpdate: an outdated list may still trust a CA gematik has revoked.
   */
  current(now: Date = this.opts.now()): TrustSnapshot {
    const s = this.snapshot;
    if (!s) throw new TrustError('TSL_UNAVAILABLE', 'Keine gültige TSL geladen');
    if (s.info.nextUpdate.getTime() <= now.getTime()) {
      const error = new TrustError('TSL_UNAVAILABLE', `Die verwendete TSL ist seit ${s.info.nextUpdate.toISOString()} abgelaufen`);
      // One alarm per expired list, not one per card.
      if (this.expiredAlarmFor !== s) this.alarm('tsl-in-use-expired', error, now);
      this.expiredAlarmFor = s;
      throw error;
    }
    return s;
  }

  get info(): TslInfo | null {
    return this.snapshot?.info ?? null;
  }

  start(): void {
    if (this.handle !== null) return;
    const timer = this.opts.timer ?? realTimer;
    this.handle = timer.setInterval(() => void this.reload(), this.opts.reloadEveryMs ?? 3_600_000);
  }

  stop(): void {
    if (this.handle === null) return;
    (this.opts.timer ?? realTimer).clearInterval(this.handle);
    this.handle = null;
  }
}
