import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The pairing code binds the page to this bridge: the bridge prints six
 * digits, the user types them into the dashboard, the page sends them in its
 * hello. A paired page gets a session token for reconnects. Five wrong codes
 * retire the current code (printed anew) and lock pairing for a while, doubling with
 * each lockout (10 s … 15 min): any local process can claim our origin, and without the
 * lock it guessed six digits in minutes. A lock ends with the next correct pairing.
 */
export class Pairing {
  private code: string;
  private failures = 0;
  private lockouts = 0;
  private lockedUntil = 0;
  private readonly tokens = new Set<string>();

  constructor(
    private readonly onNewCode: (code: string) => void = () => undefined,
    fixedCode?: string,
    private readonly maxFailures = 5,
    private readonly lockBaseMs = 10_000,
    private readonly now: () => number = Date.now,
  ) {
    this.code = fixedCode ?? Pairing.newCode();
  }

  static newCode(): string {
    return randomInt(0, 1_000_000).toString().padStart(6, '0');
  }

  get current(): string {
    return this.code;
  }

  /** Milliseconds until pairing is possible again (0 = now). */
  get lockedForMs(): number {
    return Math.max(0, this.lockedUntil - this.now());
  }

  /** A valid code yields a fresh session token; a wrong one counts towards rotation and lockout. */
  tryCode(candidate: string): string | undefined {
    if (this.lockedForMs > 0) return undefined;
    const a = Buffer.from(candidate.padEnd(6, '\0').slice(0, 6));
    const b = Buffer.from(this.code);
    if (candidate.length === 6 && timingSafeEqual(a, b)) {
      this.failures = 0;
      this.lockouts = 0;
      const token = randomBytes(32).toString('base64url');
      this.tokens.add(token);
      return token;
    }
    if (++this.failures >= this.maxFailures) {
      this.failures = 0;
      this.lockedUntil = this.now() + Math.min(this.lockBaseMs * 2 ** this.lockouts, 15 * 60_000);
      this.lockouts++;
      this.code = Pairing.newCode();
      this.onNewCode(this.code);
    }
    return undefined;
  }

  tryToken(token: string): boolean {
    return this.tokens.has(token);
  }
}
