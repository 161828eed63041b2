/**
 * Strict JWS compact parsing and ES256 verification with node:crypto. Kept apart from jose on
 * purpose: the verifier must decide which key to use before anything looks at the header's
 * key hints, must refuse non-canonical encodings (they would give one token many spellings),
 * and must be fast enough to sit in a Fachdienst's request path.
 */
import { verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { refuse, type Refusal } from './codes';

const B64URL = /^[A-Za-z0-9_-]*$/;

/** Decodes base64url without padding, refusing anything that does not re-encode identically. */
export function decodeB64urlStrict(s: string): Buffer | null {
  if (!B64URL.test(s) || s.length % 4 === 1) return null;
  const buf = Buffer.from(s, 'base64url');
  return buf.toString('base64url') === s ? buf : null;
}

export interface CompactJws {
  header: Record<string, unknown>;
  /** Raw payload bytes; the caller decides whether they must be JSON. */
  payloadBytes: Buffer;
  signingInput: Buffer;
  signatureB64: string;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function parseJson(bytes: Buffer): unknown {
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return undefined;
  }
}

/** Splits and decodes the header; the signature is only decoded later, by verifyEs256. */
export function parseCompact(token: string): { ok: true; jws: CompactJws } | Refusal {
  const parts = token.split('.');
  if (parts.length !== 3) return refuse('token_malformed', `expected 3 dot-separated parts, got ${parts.length}`);
  const [h, p, s] = parts;
  const headerBytes = decodeB64urlStrict(h);
  const payloadBytes = decodeB64urlStrict(p);
  if (!headerBytes || !payloadBytes || h.length === 0 || !decodeB64urlStrict(s)) return refuse('token_malformed', 'not canonical base64url');
  const header = parseJson(headerBytes);
  if (!isPlainObject(header)) return refuse('header_invalid', 'header is not a JSON object');
  return { ok: true, jws: { header, payloadBytes, signingInput: Buffer.from(`${h}.${p}`, 'ascii'), signatureB64: s } };
}

/** ES256 per RFC 7518 §3.4: exactly 64 bytes R‖S. A DER signature of the same value is refused. */
export function verifyEs256(jws: Pick<CompactJws, 'signingInput' | 'signatureB64'>, key: KeyObject): boolean {
  const sig = decodeB64urlStrict(jws.signatureB64);
  if (!sig || sig.length !== 64) return false;
  try {
    return cryptoVerify('sha256', jws.signingInput, { key, dsaEncoding: 'ieee-p1363' }, sig);
  } catch {
    return false;
  }
}

export function parseJsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  const v = parseJson(bytes);
  return isPlainObject(v) ? v : undefined;
}
