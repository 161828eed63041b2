/**
 * The PoPP token verifier. Rule order (docs/verifier.md): size → structure → header (forbidden
 * key hints, alg, typ, kid) → payload JSON → configured issuer → key from that issuer's signed
 * JWKS → signature → exact claim set → time → profile → replay. Nothing before the signature
 * check trusts the payload beyond picking among configured issuers.
 */
import { createHash, type X509Certificate } from 'node:crypto';
import type { ZodError } from 'zod';
import { isIssuerUrl, poppClaimsSchema, poppHeaderSchema, POPP_TOKEN_ALG, POPP_TOKEN_TYP, KID_PATTERN, type PoppClaims, type PoppHeader } from '../popp/token/claims';
import { nowSeconds } from '../popp/token/time';
import { parseTrustAnchors } from './chain';
import { refuse, type Refusal } from './codes';
import { VerifierError } from './errors';
import { parseCompact, parseJsonObject, verifyEs256 } from './jws';
import { IssuerKeySource, type FetchLike } from './keysource';
import { checkProfile, DEFAULT_PROFILE_SETTINGS, PROFILES, type Profile, type ProfileSettings } from './profiles';
import { MemoryReplayStore, type ReplayStore } from './replay';

export interface IssuerConfig {
  /** Exact `iss` value, an origin URL (no path, no trailing slash). */
  iss: string;
  /** CA certificates (PEM text, possibly several, or DER) that signer certificates must chain to. */
  trustAnchors: Array<string | Uint8Array>;
  fetch?: FetchLike;
  jwksRefreshSeconds?: number;
  minRefetchSeconds?: number;
  entityKeyThumbprints?: string[];
}

export interface VerifierConfig {
  issuers: IssuerConfig[];
  /** Unix seconds. */
  now?: () => number;
  replayStore?: ReplayStore;
  maxTokenLength?: number;
  profile?: Partial<ProfileSettings>;
}

export interface VerifyOptions {
  profile: Profile;
  /** The caller's Telematik-ID (from its access token); required for 'erezept'. */
  actorId?: string;
}

export type VerifyResult = { ok: true; claims: PoppClaims; header: PoppHeader; validUntil: number | null } | Refusal;

export interface Verifier {
  verify(token: unknown, opts: VerifyOptions): Promise<VerifyResult>;
}

/** PoPP tokens are ~600 characters; anything far beyond is not one. */
export const DEFAULT_MAX_TOKEN_LENGTH = 4096;
const FORBIDDEN_HEADER_PARAMS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'x5t#S256', 'crit'];

export function createVerifier(config: VerifierConfig): Verifier {
  const nowSec = () => nowSeconds(config.now);
  if (!config.issuers?.length) throw new VerifierError('config_invalid', 'Mindestens ein Aussteller muss konfiguriert sein.');
  const sources = new Map<string, IssuerKeySource>();
  for (const i of config.issuers) {
    if (!isIssuerUrl(i.iss)) throw new VerifierError('config_invalid', `Aussteller ${i.iss} ist keine Origin-URL ohne Pfad und abschließenden Schrägstrich.`);
    let anchors: X509Certificate[];
    try {
      anchors = parseTrustAnchors(i.trustAnchors ?? []);
    } catch (e) {
      throw new VerifierError('config_invalid', `Vertrauensanker für ${i.iss} nicht lesbar.`, { cause: e });
    }
    if (anchors.length === 0) throw new VerifierError('config_invalid', `Für ${i.iss} ist keine CA konfiguriert.`);
    sources.set(i.iss, new IssuerKeySource({ ...i, anchors, now: nowSec }));
  }
  const settings: ProfileSettings = { ...DEFAULT_PROFILE_SETTINGS, ...config.profile };
  const replay = config.replayStore ?? new MemoryReplayStore({ now: nowSec });
  const maxLen = config.maxTokenLength ?? DEFAULT_MAX_TOKEN_LENGTH;

  async function verifyUnsafe(token: unknown, opts: VerifyOptions): Promise<VerifyResult> {
    if (!opts || !(PROFILES as readonly string[]).includes(opts.profile)) return refuse('profile_unknown', 'unknown profile');
    if (typeof token !== 'string') return refuse('token_malformed', 'token is not a string');
    if (token.length > maxLen) return refuse('token_too_large', `token longer than ${maxLen} characters`);
    const parsed = parseCompact(token);
    if (!parsed.ok) return parsed;
    const { jws } = parsed;
    const h = jws.header;

    const forbidden = FORBIDDEN_HEADER_PARAMS.filter((p) => p in h);
    if (forbidden.length) return refuse('header_forbidden_param', `header carries ${forbidden.join(', ')}; keys come only from the configured issuer`);
    if (h.alg !== POPP_TOKEN_ALG) return refuse('alg_not_allowed', `alg ${typeof h.alg === 'string' ? h.alg.slice(0, 20) : '?'} is not ES256`);
    if (h.typ !== POPP_TOKEN_TYP) return refuse('typ_invalid', `typ is not ${POPP_TOKEN_TYP}`);
    if (typeof h.kid !== 'string' || !KID_PATTERN.test(h.kid)) return refuse('kid_missing', 'kid missing or malformed');
    const header = poppHeaderSchema.safeParse(h);
    if (!header.success) return refuse('header_invalid', 'header has parameters beyond typ, alg, kid');

    const payload = parseJsonObject(jws.payloadBytes);
    if (!payload) return refuse('payload_invalid', 'payload is not a JSON object');
    const source = typeof payload.iss === 'string' ? sources.get(payload.iss) : undefined;
    if (!source) return refuse('issuer_unknown', 'iss is not a configured issuer');

    const key = await source.getKey(header.data.kid);
    if (!key.ok) return key;
    if (!verifyEs256(jws, key.key)) return refuse('signature_invalid', 'ES256 signature does not verify with the issuer key');

    const claims = poppClaimsSchema.safeParse(payload);
    if (!claims.success) return claimsRefusal(payload, claims.error);
    const c = claims.data;
    const now = nowSec();
    if (c.iat > now + settings.leewaySeconds) return refuse('iat_in_future', 'iat lies more than the leeway in the future');
    if (c.patientProofTime > c.iat + settings.leewaySeconds) return refuse('proof_time_invalid', 'patientProofTime lies after iat');

    const profile = checkProfile(opts.profile, c, now, opts.actorId, settings);
    if (!profile.ok) return profile;

    if (opts.profile === 'epa') {
      // ECDSA signatures are malleable ((r, s) and (r, n−s) both verify), so the replay key
      // is the signed part only: every spelling of the same signed token is the same token.
      const id = createHash('sha256').update(jws.signingInput).digest('base64url');
      let fresh: boolean;
      try {
        fresh = await replay.markUsed(id, profile.validUntil ?? now + 86_400);
      } catch {
        return refuse('replay_store_unavailable', 'replay store could not record the token');
      }
      if (!fresh) return refuse('replayed', 'token was already used (ePA: single use)');
    }
    return { ok: true, claims: c, header: header.data, validUntil: profile.validUntil };
  }

  return {
    async verify(token, opts) {
      try {
        return await verifyUnsafe(token, opts);
      } catch {
        return refuse('internal_error', 'verification failed unexpectedly');
      }
    },
  };
}

const CLAIM_NAMES = Object.keys(poppClaimsSchema.shape);

/** Names claims, never their values: a reason may end up in a log, a value may be a KVNR. */
function claimsRefusal(payload: Record<string, unknown>, err: ZodError): Refusal {
  const extra = Object.keys(payload).filter((k) => !CLAIM_NAMES.includes(k));
  if (extra.length) return refuse('claims_unexpected', `unexpected claims: ${extra.map((k) => k.slice(0, 40)).join(', ')}`);
  const missing = CLAIM_NAMES.filter((k) => !Object.hasOwn(payload, k));
  if (missing.length) return refuse('claims_missing', `missing claims: ${missing.join(', ')}`);
  return refuse('claims_invalid', `invalid claims: ${[...new Set(err.issues.map((i) => String(i.path[0])))].join(', ')}`);
}
