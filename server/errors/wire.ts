/**
 * The one place where domain errors become wire errors: tRPC codes for the UI
 * (the stable `poppCode` travels along so the browser can show its own German or
 * English text), HTTP problem bodies for REST routes. 79xxx codes for the
 * eGK WebSocket live with its messages (lib/popp-messages) and are chosen there.
 */
import { TRPCError } from '@trpc/server';
import { isPoppError, type PoppError } from '../../lib/errors';

type TrpcCode = ConstructorParameters<typeof TRPCError>[0]['code'];

const byCode: Record<string, TrpcCode> = {
  CODE_MALFORMED: 'BAD_REQUEST',
  CODE_NOT_FOUND: 'NOT_FOUND',
  CODE_EXPIRED: 'PRECONDITION_FAILED',
  CODE_USED: 'CONFLICT',
  CODE_DECLINED: 'CONFLICT',
  CODE_FOREIGN: 'FORBIDDEN',
  LOGIN_REQUIRED: 'UNAUTHORIZED',
  LOGIN_STALE: 'UNAUTHORIZED',
  LOGIN_NOT_FOR_THIS_CODE: 'UNAUTHORIZED',
  ACR_INSUFFICIENT: 'FORBIDDEN',
  IDENTITY_INVALID: 'UNPROCESSABLE_CONTENT',
  CHECKIN_NOT_FOUND: 'NOT_FOUND',
  PRACTICE_NOT_FOUND: 'NOT_FOUND',
  UNAUTHENTICATED: 'UNAUTHORIZED',
  FORBIDDEN_ORIGIN: 'FORBIDDEN',
  SETUP_LINK_INVALID: 'NOT_FOUND',
  SETUP_LINK_USED: 'CONFLICT',
  SETUP_LINK_EXPIRED: 'PRECONDITION_FAILED',
  PASSKEY_CHALLENGE_EXPIRED: 'PRECONDITION_FAILED',
  PASSKEY_REJECTED: 'UNAUTHORIZED',
  PASSKEY_UNKNOWN: 'UNAUTHORIZED',
};

export function toTrpcError(e: unknown): TRPCError {
  if (e instanceof TRPCError) return e;
  if (isPoppError(e)) return new TRPCError({ code: byCode[e.code] ?? 'BAD_REQUEST', message: e.message, cause: e });
  return new TRPCError({ code: 'INTERNAL_SERVER_ERROR', message: 'Interner Fehler. Bitte später erneut versuchen.', cause: e as Error });
}

export function poppCodeOf(e: unknown): string | undefined {
  if (isPoppError(e)) return e.code;
  if (e instanceof TRPCError && isPoppError(e.cause)) return (e.cause as PoppError).code;
  return undefined;
}

const httpStatus: Record<TrpcCode, number> = {
  PARSE_ERROR: 400, BAD_REQUEST: 400, UNAUTHORIZED: 401, PAYMENT_REQUIRED: 402, FORBIDDEN: 403, NOT_FOUND: 404,
  METHOD_NOT_SUPPORTED: 405, TIMEOUT: 408, CONFLICT: 409, PRECONDITION_FAILED: 412, PAYLOAD_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415, UNPROCESSABLE_CONTENT: 422, PRECONDITION_REQUIRED: 428, TOO_MANY_REQUESTS: 429, CLIENT_CLOSED_REQUEST: 499,
  INTERNAL_SERVER_ERROR: 500, NOT_IMPLEMENTED: 501, BAD_GATEWAY: 502, SERVICE_UNAVAILABLE: 503, GATEWAY_TIMEOUT: 504,
} as Record<TrpcCode, number>;

/** RFC 9457 problem body for REST routes. */
export function toProblem(e: unknown, instance: string): { status: number; body: Record<string, unknown> } {
  const t = toTrpcError(e);
  const status = httpStatus[t.code] ?? 500;
  return { status, body: { type: 'about:blank', title: t.message, status, code: poppCodeOf(e) ?? t.code, instance } };
}
