import { randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * The pairing code binds the page to this bridge: the bridge prints six
 * digits, the user types them into the dashboard, the page sends them in its
 * hello. A paired page gets a session token for reconnects. Five wrong codes
 * retire the current code (printed anew), so guessing 1 in 10^6 stays guessing.
 */
export class Pairing {
  private code: string;
  private failures = 0;
  private readonly tokens = new Set<string>();

  constructor(
    private readonly onNewCode: (code: string) => void = () => undefined,
    fixedCode?: string,
    private readonly maxFailures = 5,
  ) {
    this.code = fixedCode ?? Pairing.newCode();
  }

  static newCode(): string {
    return randomInt(0, 1_000_000).toString().padStart(6, '0');
  }

  get current(): string {
    return this.code;
  }

  /** A valid code yields a fresh session token; a wrong one counts towards rotation. */
  tryCode(candidate: string): string | undefined {
    const a = Buffer.from(candidate.padEnd(6, '\0').slice(0, 6));
    const b = Buffer.from(this.code);
    if (candidate.length === 6 && timingSafeEqual(a, b)) {
      this.failures = 0;
      const token = randomBytes(32).toString('base64url');
      this.tokens.add(token);
      return token;
    }
    if (++this.failures >= this.maxFailures) {
      this.failures = 0;
      this.code = Pairing.newCode();
      this.onNewCode(this.code);
    }
    return undefined;
  }

  tryToken(token: string): boolean {
    return this.tokens.has(token);
  }
}
