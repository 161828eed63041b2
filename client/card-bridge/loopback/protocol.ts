import { z } from 'zod';

/**
 * Wire protocol between the dashboard (LoopbackBridgeTransport) and
 * `popp bridge` on ws://127.0.0.1. JSON text frames, every one validated with
 * these schemas on both sides, every field capped. Pure (zod only) so the Node
 * bridge imports it too.
 */
export const BRIDGE_PROTOCOL_VERSION = 1;
export const DEFAULT_BRIDGE_PORT = 17_373;
/** Largest frame either side accepts: an extended APDU in hex plus envelope. */
export const MAX_FRAME_BYTES = 160 * 1024;
/** Extended command APDU (4 + 3 + 65535 + 2) and response (65536 + 2), in hex. */
const MAX_COMMAND_HEX = 2 * 65544;
const MAX_RESPONSE_HEX = 2 * 65538;

/** WebSocket close codes the bridge uses (4000-4999 are for applications). */
export const CLOSE_PAIRING_FAILED = 4401;
export const CLOSE_HELLO_TIMEOUT = 4408;
export const CLOSE_PROTOCOL_ERROR = 4400;
export const CLOSE_REPLACED = 4409;

const hex = (max: number) => z.string().max(max).regex(/^(?:[0-9A-F]{2})*$/, 'upper-case hex');
const readerName = z.string().min(1).max(200);
const requestId = z.number().int().min(0).max(2 ** 31);
export const presenceSchema = z.enum(['no-reader', 'empty', 'present']);

export const readerInfoSchema = z.object({
  name: readerName,
  presence: presenceSchema,
  atr: hex(66).optional(),
  /** Shown in the picker: a virtual reader must never pass for a real one. */
  virtual: z.boolean().optional(),
});
export type BridgeReaderInfo = z.infer<typeof readerInfoSchema>;

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('hello'),
    v: z.literal(BRIDGE_PROTOCOL_VERSION),
    /** The six digits the bridge printed; spaces and dashes removed by the page. */
    pairingCode: z.string().regex(/^\d{6}$/).optional(),
    /** Token from an earlier welcome: reconnects without asking for the code again. */
    sessionToken: z.string().regex(/^[A-Za-z0-9_-]{43}$/).optional(),
  }),
  z.strictObject({ type: z.literal('list'), id: requestId }),
  z.strictObject({ type: z.literal('connect'), id: requestId, reader: readerName }),
  z.strictObject({ type: z.literal('transmit'), id: requestId, reader: readerName, apdu: hex(MAX_COMMAND_HEX).min(8) }),
  z.strictObject({ type: z.literal('disconnect'), id: requestId, reader: readerName }),
]);
export type BridgeClientMessage = z.infer<typeof clientMessageSchema>;

export const bridgeMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('welcome'),
    v: z.literal(BRIDGE_PROTOCOL_VERSION),
    sessionToken: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
    readers: z.array(readerInfoSchema).max(64),
  }),
  z.object({ type: z.literal('readers'), id: requestId.optional(), readers: z.array(readerInfoSchema).max(64) }),
  z.object({ type: z.literal('presence'), reader: readerName, presence: presenceSchema, atr: hex(66).optional() }),
  z.object({
    type: z.literal('connected'),
    id: requestId,
    reader: readerName,
    atr: hex(66),
    protocol: z.enum(['T0', 'T1']),
    maxApduLength: z.number().int().min(5).max(65544),
  }),
  z.object({ type: z.literal('response'), id: requestId, apdu: hex(MAX_RESPONSE_HEX).min(4) }),
  z.object({ type: z.literal('done'), id: requestId }),
  z.object({
    type: z.literal('error'),
    id: requestId.optional(),
    code: z.string().regex(/^[A-Z0-9_]{2,40}$/),
    message: z.string().max(500),
  }),
]);
export type BridgeMessage = z.infer<typeof bridgeMessageSchema>;

/** Parses one frame; undefined for anything that is not a valid message (size, JSON, schema). */
export function parseFrame<T>(schema: z.ZodType<T>, data: string): T | undefined {
  if (data.length > MAX_FRAME_BYTES) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(data);
  } catch {
    return undefined;
  }
  const r = schema.safeParse(json);
  return r.success ? r.data : undefined;
}

/** What the page shows next to the pairing field: the same six digits, grouped like the bridge prints them. */
export function formatPairingCode(code: string): string {
  return `${code.slice(0, 3)} ${code.slice(3)}`;
}

/** What the user typed, reduced to the six digits the hello carries. */
export function normalisePairingCode(input: string): string {
  return input.replace(/[\s-]/g, '');
}
