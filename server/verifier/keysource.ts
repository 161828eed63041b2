/**
 * Where a verifier gets an issuer's token keys: only from that configured issuer's
 * entity statement (self-signed by the entity key) → its signed JWKS (signed by that entity
 * key) → each key's x5c checked against the configured CAs. Nothing a token says (iss, jku,
 * x5u, jwk) ever leads to a request; the signed_jwks_uri must stay on the issuer's origin.
 *
 * Caching: refreshed every `jwksRefreshSeconds` (A_26449: hourly); an unknown kid triggers at
 * most one refetch per `minRefetchSeconds`, so a flood of forged kids cannot turn the verifier
 * into a request amplifier. Concurrent callers share one in-flight fetch. A failed refresh keeps
 * the last good key set for up to `maxStaleSeconds`.
 */
import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import { z } from 'zod';
import { thumbprint } from '../popp/keys/jwk';
import { validateSignerCert } from './chain';
import { refuse, type Refusal, type VerifyCode } from './codes';
import { parseCompact, parseJsonObject, verifyEs256 } from './jws';

export type FetchLike = (url: string, init?: { signal?: AbortSignal; redirect?: 'error'; headers?: Record<string, string> }) => Promise<Response>;

export interface KeySourceOptions {
  iss: string;
  anchors: X509Certificate[];
  fetch?: FetchLike;
  jwksRefreshSeconds?: number;
  minRefetchSeconds?: number;
  maxStaleSeconds?: number;
  fetchTimeoutMs?: number;
  /** Optional pin: RFC 7638 thumbprints the entity key must match. */
  entityKeyThumbprints?: string[];
  /** Unix seconds. */
  now: () => number;
}

const MAX_DOCUMENT_BYTES = 256 * 1024;
const MAX_KEYS = 100;
const CLOCK_SKEW = 60;

const ecJwk = z.object({ kty: z.literal('EC'), crv: z.literal('P-256'), x: z.string().min(1), y: z.string().min(1), kid: z.string().min(1).max(128) }).passthrough();
const entityPayload = z
  .object({
    iss: z.string(),
    sub: z.string(),
    iat: z.number().int(),
    exp: z.number().int(),
    jwks: z.object({ keys: z.array(ecJwk.passthrough()).min(1).max(10) }),
    metadata: z.object({ oauth_resource: z.object({ signed_jwks_uri: z.string() }).passthrough() }).passthrough(),
  })
  .passthrough();
const tokenJwk = ecJwk.extend({ alg: z.literal('ES256').optional(), use: z.literal('sig').optional(), x5c: z.array(z.string()).min(1) }).passthrough();

interface TrustedKey {
  key: KeyObject;
  notBefore: number;
  notAfter: number;
}
interface KeySet {
  keys: Map<string, TrustedKey>;
  rejected: Map<string, Refusal>;
  fetchedAt: number;
}

class SourceFailure extends Error {
  constructor(readonly code: VerifyCode, reason: string) {
    super(reason);
  }
}

export class IssuerKeySource {
  private set: KeySet | undefined;
  private lastError: Refusal | undefined;
  private lastAttempt = -Infinity;
  private inflight: Promise<void> | undefined;
  /** Number of completed fetch rounds; exposed for tests and metrics. */
  fetchCount = 0;

  constructor(private readonly o: KeySourceOptions) {}

  private get refresh() {
    return this.o.jwksRefreshSeconds ?? 3600;
  }
  private get minRefetch() {
    return this.o.minRefetchSeconds ?? 60;
  }

  async getKey(kid: string): Promise<{ ok: true; key: KeyObject } | Refusal> {
    const now = this.o.now();
    if (!this.set || now - this.set.fetchedAt >= this.refresh) await this.load(now);
    let hit = this.lookup(kid, now);
    if (hit === undefined && now - this.lastAttempt >= this.minRefetch) {
      await this.load(now);
      hit = this.lookup(kid, now);
    }
    if (hit) return hit;
    if (!this.set) return this.lastError ?? refuse('keys_unavailable', 'issuer keys not loaded');
    return refuse('kid_unknown', 'kid is not in the issuer\'s signed JWKS');
  }

  private lookup(kid: string, now: number): { ok: true; key: KeyObject } | Refusal | undefined {
    const set = this.usableSet(now);
    if (!set) return undefined;
    const k = set.keys.get(kid);
    if (k) {
      if (now < k.notBefore || now > k.notAfter) return refuse('key_cert_expired', 'signer certificate not valid now');
      return { ok: true, key: k.key };
    }
    return set.rejected.get(kid);
  }

  private usableSet(now: number): KeySet | undefined {
    if (!this.set) return undefined;
    if (now - this.set.fetchedAt > this.refresh + (this.o.maxStaleSeconds ?? 86_400)) return undefined;
    return this.set;
  }

  private load(now: number): Promise<void> {
    if (this.inflight) return this.inflight;
    if (now - this.lastAttempt < this.minRefetch && (this.set || this.lastError)) return Promise.resolve();
    this.lastAttempt = now;
    this.inflight = this.fetchKeySet(now)
      .then((set) => {
        this.set = set;
        this.lastError = undefined;
      })
      .catch((e: unknown) => {
        this.lastError = e instanceof SourceFailure ? refuse(e.code, e.message) : refuse('keys_unavailable', 'issuer keys could not be loaded');
        if (this.set && !this.usableSet(now)) this.set = undefined;
      })
      .finally(() => {
        this.fetchCount++;
        this.inflight = undefined;
      });
    return this.inflight;
  }

  private async fetchText(url: string, accept: string): Promise<string> {
    const f = this.o.fetch ?? (globalThis.fetch as FetchLike);
    let res: Response;
    try {
      res = await f(url, { redirect: 'error', signal: AbortSignal.timeout(this.o.fetchTimeoutMs ?? 5000), headers: { accept } });
    } catch {
      throw new SourceFailure('keys_unavailable', `request to ${url} failed`);
    }
    if (res.status !== 200) throw new SourceFailure('keys_unavailable', `${url} answered ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_DOCUMENT_BYTES) throw new SourceFailure('keys_unavailable', `${url} too large`);
    const body = await readCapped(res, MAX_DOCUMENT_BYTES);
    if (body === null) throw new SourceFailure('keys_unavailable', `${url} too large`);
    return body.trim();
  }

  private async fetchKeySet(now: number): Promise<KeySet> {
    const iss = this.o.iss;
    // 1. Entity statement, self-signed by a key it lists.
    const es = parseCompact(await this.fetchText(`${iss}/.well-known/openid-federation`, 'application/entity-statement+jwt'));
    const bad = (reason: string) => new SourceFailure('entity_statement_invalid', reason);
    if (!es.ok) throw bad('entity statement is not a compact JWS');
    const { header: esh } = es.jws;
    if (esh.typ !== 'entity-statement+jwt' || esh.alg !== 'ES256' || typeof esh.kid !== 'string') throw bad('entity statement header typ/alg/kid');
    const esp = entityPayload.safeParse(parseJsonObject(es.jws.payloadBytes));
    if (!esp.success) throw bad('entity statement claims');
    const st = esp.data;
    if (st.iss !== iss || st.sub !== iss) throw bad('entity statement iss/sub is not the configured issuer');
    if (st.exp < now || st.iat > now + CLOCK_SKEW) throw bad('entity statement expired or not yet valid');
    const entityKeys = new Map<string, KeyObject>();
    for (const k of st.jwks.keys) {
      try {
        entityKeys.set(k.kid, importEc(k));
      } catch {
        throw bad('entity statement lists a key that does not import');
      }
    }
    const esKey = entityKeys.get(esh.kid);
    if (!esKey || !verifyEs256(es.jws, esKey)) throw bad('entity statement signature');
    if (this.o.entityKeyThumbprints) {
      // Pinning all listed entity keys, since any of them may sign the JWKS below.
      for (const k of st.jwks.keys) {
        if (!this.o.entityKeyThumbprints.includes(await thumbprint(k))) throw bad('entity key is not one of the pinned keys');
      }
    }
    const jwksUri = st.metadata.oauth_resource.signed_jwks_uri;
    if (!sameOrigin(jwksUri, iss)) throw bad('signed_jwks_uri leaves the issuer origin');

    // 2. Signed JWKS, signed by an entity key from the statement.
    const jw = parseCompact(await this.fetchText(jwksUri, 'application/jwk-set+jwt'));
    const badJwks = (reason: string) => new SourceFailure('jwks_invalid', reason);
    if (!jw.ok) throw badJwks('signed JWKS is not a compact JWS');
    const { header: jh } = jw.jws;
    if (jh.typ !== 'jwk-set+jwt' || jh.alg !== 'ES256' || typeof jh.kid !== 'string') throw badJwks('signed JWKS header typ/alg/kid');
    const jwKey = entityKeys.get(jh.kid);
    if (!jwKey || !verifyEs256(jw.jws, jwKey)) throw badJwks('signed JWKS is not signed by the entity key');
    const payload = parseJsonObject(jw.jws.payloadBytes);
    if (!payload || !Array.isArray(payload.keys) || payload.keys.length > MAX_KEYS) throw badJwks('signed JWKS has no key list');
    if (payload.iss !== undefined && payload.iss !== iss) throw badJwks('signed JWKS iss is not the configured issuer');

    // 3. Each key on its own merits: one bad key does not take the others down.
    const set: KeySet = { keys: new Map(), rejected: new Map(), fetchedAt: now };
    const seen = new Set<string>();
    for (const raw of payload.keys) {
      const kid = typeof (raw as { kid?: unknown })?.kid === 'string' ? (raw as { kid: string }).kid : undefined;
      if (!kid) continue;
      if (seen.has(kid)) {
        set.keys.delete(kid);
        set.rejected.set(kid, refuse('key_invalid', 'kid published twice'));
        continue;
      }
      seen.add(kid);
      const parsed = tokenJwk.safeParse(raw);
      if (!parsed.success) {
        set.rejected.set(kid, refuse('key_invalid', 'JWK is not an ES256 P-256 signing key with x5c'));
        continue;
      }
      let key: KeyObject;
      try {
        key = importEc(parsed.data);
      } catch {
        set.rejected.set(kid, refuse('key_invalid', 'JWK does not import'));
        continue;
      }
      const cert = validateSignerCert(parsed.data.x5c, parsed.data, this.o.anchors, now);
      if (!cert.ok) set.rejected.set(kid, cert);
      else set.keys.set(kid, { key, notBefore: cert.notBefore, notAfter: cert.notAfter });
    }
    return set;
  }
}

function importEc(k: { kty: 'EC'; crv: 'P-256'; x: string; y: string }): KeyObject {
  return createPublicKey({ key: { kty: k.kty, crv: k.crv, x: k.x, y: k.y }, format: 'jwk' });
}

function sameOrigin(url: string, origin: string): boolean {
  try {
    return new URL(url).origin === origin;
  } catch {
    return false;
  }
}

async function readCapped(res: Response, max: number): Promise<string | null> {
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
