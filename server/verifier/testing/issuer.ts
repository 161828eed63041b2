/**
 * An in-process PoPP issuer for tests, the bench and the example: a real key store (dev CA,
 * signer certificate with the role), the real well-known handlers, and a fetch function that
 * serves them without a socket and records every URL requested — so tests can prove that a
 * forged token never made the verifier call anywhere else.
 */
import { sign as cryptoSign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOrCreateKeyStore, KEYSTORE_FILE } from '../../popp/keys/store';
import type { DevCa } from '../../popp/keys/devpki';
import type { KeyStore } from '../../popp/keys/types';
import { signPoppToken } from '../../popp/token/issue';
import type { PoppTokenInput } from '../../popp/token/claims';
import { sampleTokenInput } from '../../popp/token/testing';
import { wellKnownRoutes, type WellKnownResponse } from '../../popp/wellknown/handlers';
import type { FetchLike } from '../keysource';

export type RouteTable = Map<string, () => Promise<WellKnownResponse> | WellKnownResponse>;
export type RecordingFetch = FetchLike & { calls: string[] };

export interface TestIssuer {
  issuer: string;
  ks: KeyStore;
  /** The dev root CA, the verifier's trust anchor for this issuer. */
  caPem: string;
  /** The dev CA with its private key, to issue odd certificates (no role, expired …) in tests. */
  devCa: DevCa;
  /** Full URL → handler; tests replace entries to serve tampered documents. */
  routes: RouteTable;
  fetch: RecordingFetch;
  /** A genuine token from this issuer, issued at `nowMs` (milliseconds, for readable test dates) or the issuer clock. */
  token(over?: Partial<PoppTokenInput>, nowMs?: number): Promise<string>;
}

/** `now` in Unix seconds, like everywhere in the token API. */
export async function createTestIssuer(opts: { issuer?: string; now?: () => number; dir?: string } = {}): Promise<TestIssuer> {
  const issuer = opts.issuer ?? 'https://popp.test.example';
  const dir = opts.dir ?? mkdtempSync(path.join(tmpdir(), 'popp-issuer-'));
  const ks = await loadOrCreateKeyStore({ dir, production: false, issuer, now: opts.now });
  const devCa = JSON.parse(readFileSync(path.join(dir, KEYSTORE_FILE), 'utf8')).devCa as DevCa;
  const routes: RouteTable = new Map();
  for (const r of wellKnownRoutes(ks, issuer, 'Test-PoPP-Service', { now: opts.now })) routes.set(issuer + r.path, () => r.handle());
  return {
    issuer,
    ks,
    caPem: ks.devCaPem!,
    devCa,
    routes,
    fetch: routeFetch(routes),
    token: (over = {}, nowMs) => {
      const now = nowMs === undefined ? (opts.now ?? (() => Math.floor(Date.now() / 1000))) : () => Math.floor(nowMs / 1000);
      // The card or login happened a moment before the token was issued.
      const patientProofTime = now() - 5;
      return signPoppToken(sampleTokenInput({ patientProofTime, ...over }), { issuer, key: ks.current(), now });
    },
  };
}

/** A fetch over one or more route tables; unknown URLs answer 404. */
export function routeFetch(...tables: RouteTable[]): RecordingFetch {
  const calls: string[] = [];
  const f = (async (url: string) => {
    calls.push(url);
    for (const t of tables) {
      const h = t.get(url);
      if (h) {
        const r = await h();
        return new Response(r.body, { status: r.status, headers: r.headers });
      }
    }
    return new Response('not found', { status: 404 });
  }) as RecordingFetch;
  f.calls = calls;
  return f;
}

const b64u = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Signs arbitrary header and payload with any P-256 key: the attacker's tool. */
export function forgeEs256(header: unknown, payload: unknown, key: KeyObject, dsaEncoding: 'ieee-p1363' | 'der' = 'ieee-p1363'): string {
  const input = `${b64u(header)}.${b64u(payload)}`;
  return `${input}.${cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding }).toString('base64url')}`;
}

export function encodeParts(header: unknown, payload: unknown, signature = ''): string {
  return `${b64u(header)}.${b64u(payload)}.${signature}`;
}

export function decodeParts(token: string): { header: Record<string, unknown>; payload: Record<string, unknown>; signature: string } {
  const [h, p, s] = token.split('.');
  return { header: JSON.parse(Buffer.from(h, 'base64url').toString()), payload: JSON.parse(Buffer.from(p, 'base64url').toString()), signature: s };
}
