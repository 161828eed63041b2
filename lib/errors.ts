/**
 * Base of every error the project raises on purpose. Each layer (card, protocol,
 * check-in, identity, store, verifier, trust, reader) has its own subclass with a
 * union of stable string codes; callers switch on `code`, never on `message`.
 * The mapping from codes to the wire (79xxx WebSocket errors, tRPC codes, HTTP
 * problem bodies) lives in one place: server/errors/wire.ts.
 */
export abstract class PoppError<C extends string = string> extends Error {
  abstract readonly layer: string;
  readonly code: C;
  /** Extra machine-readable context (offsets, expected vs actual tags, ...). Never secrets. */
  readonly details?: Record<string, unknown>;

  constructor(code: C, message: string, options?: { cause?: unknown; details?: Record<string, unknown> }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options?.details;
  }
}

export function isPoppError(e: unknown): e is PoppError {
  return e instanceof PoppError;
}
