import type { ZodType } from 'zod';
import { MessageError } from './errors';
import {
  CLIENT_MESSAGE_TYPES,
  SERVER_MESSAGE_TYPES,
  clientMessage,
  serverMessage,
  type ClientMessage,
  type ServerMessage,
} from './schemas';

/**
 * Text frame ⇄ typed message, validated in both directions: a peer's bad frame is a
 * MessageError with a code (never an exception from JSON.parse or zod), and our own
 * outgoing messages pass the same schemas, so a bug cannot put a non-conformant
 * message on the wire.
 */

type Direction = 'client' | 'server';

const OWN: Record<Direction, readonly string[]> = { client: CLIENT_MESSAGE_TYPES, server: SERVER_MESSAGE_TYPES };
const SCHEMA: Record<Direction, ZodType> = { client: clientMessage, server: serverMessage };

function decode(text: string, from: Direction): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new MessageError('not-json', 'frame is not JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new MessageError('not-object', 'message is not a JSON object');
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string' || ![...CLIENT_MESSAGE_TYPES, ...SERVER_MESSAGE_TYPES].includes(type as never)) {
    throw new MessageError('unknown-type', 'unknown message type', {
      details: { type: typeof type === 'string' ? type.slice(0, 40) : typeof type },
    });
  }
  if (!OWN[from].includes(type)) {
    throw new MessageError('wrong-direction', `${type} is not sent by the ${from}`, { details: { type } });
  }
  const parsed = SCHEMA[from].safeParse(value);
  if (!parsed.success) {
    // Paths and issue codes only: values may be card data.
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`);
    throw new MessageError('schema', `${type} does not match the schema`, { details: { type, issues } });
  }
  return parsed.data;
}

/** Parses a frame the service received. */
export function decodeClientMessage(text: string): ClientMessage {
  return decode(text, 'client') as ClientMessage;
}

/** Parses a frame the client received. */
export function decodeServerMessage(text: string): ServerMessage {
  return decode(text, 'server') as ServerMessage;
}

function encode(message: unknown, from: Direction): string {
  const parsed = SCHEMA[from].safeParse(message);
  if (!parsed.success) {
    const issues = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join('.') || '(root)'}: ${i.code}`);
    throw new MessageError('encode', 'outgoing message does not match the schema', { details: { issues } });
  }
  return JSON.stringify(parsed.data);
}

export function encodeClientMessage(message: ClientMessage): string {
  return encode(message, 'client');
}

export function encodeServerMessage(message: ServerMessage): string {
  return encode(message, 'server');
}
