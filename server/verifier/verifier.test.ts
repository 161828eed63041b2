/**
 * Forged and edge-case PoPP tokens against a real in-process issuer (key store, dev CA,
 * well-known handlers). Each case asserts its stable refusal code.
 */
import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import fc from 'fast-check';
import { createVerifier, type VerifierConfig } from './verifier';
import { MemoryReplayStore } from './replay';
import { createTestIssuer, decodeParts, encodeParts, forgeEs256, type TestIssuer } from './testing/issuer';
import { VerifierError } from './errors';

const T0 = Date.parse('2025-02-15T10:00:00Z');
let nowMs = T0;
const clock = () => Math.floor(nowMs / 1000);
const sec = (iso: string) => Date.parse(iso) / 1000;
const TYP = 'vnd.telematik.popp+jwt';

let A: TestIssuer; // configured
let B: TestIssuer; // a perfectly valid issuer nobody configured
beforeAll(async () => {
  A = await createTestIssuer({ issuer: 'https://popp-a.test', now: clock });
  B = await createTestIssuer({ issuer: 'https://popp-b.test', now: clock });
});
beforeEach(() => {
  nowMs = T0;
  A.fetch.calls.length = 0;
  B.fetch.calls.length = 0;
});

const verifierFor = (iss: TestIssuer, extra: Partial<VerifierConfig> = {}) =>
  createVerifier({ issuers: [{ iss: iss.issuer, trustAnchors: [iss.caPem], fetch: iss.fetch }], now: clock, ...extra });
const attacker = () => generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;

/** A genuine token's parts, for re-signing variants with the issuer's real key. */
async function genuine(iss = A) {
  const t = await iss.token();
  return { token: t, ...decodeParts(t), key: iss.ks.current().privateKey };
}

describe('forged and malformed tokens', () => {
  const cases: Array<[string, () => Promise<unknown>, string]> = [
    ['alg none', async () => { const g = await genuine(); return encodeParts({ ...g.header, alg: 'none' }, g.payload, ''); }, 'alg_not_allowed'],
    ['HS256 with the public key as HMAC secret', async () => {
      const g = await genuine();
      const pem = createPublicKey(g.key).export({ format: 'pem', type: 'spki' });
      const input = encodeParts({ ...g.header, alg: 'HS256' }, g.payload).slice(0, -1);
      return `${input}.${createHmac('sha256', pem).update(input).digest('base64url')}`;
    }, 'alg_not_allowed'],
    ['ES384 header', async () => { const g = await genuine(); return forgeEs256({ ...g.header, alg: 'ES384' }, g.payload, g.key); }, 'alg_not_allowed'],
    ['wrong typ JWT (genuine key)', async () => { const g = await genuine(); return forgeEs256({ ...g.header, typ: 'JWT' }, g.payload, g.key); }, 'typ_invalid'],
    ['typ missing', async () => { const g = await genuine(); return forgeEs256({ alg: 'ES256', kid: g.header.kid }, g.payload, g.key); }, 'typ_invalid'],
    ['kid missing', async () => { const g = await genuine(); return forgeEs256({ typ: TYP, alg: 'ES256' }, g.payload, g.key); }, 'kid_missing'],
    ['foreign key with a known kid', async () => { const g = await genuine(); return forgeEs256(g.header, g.payload, attacker()); }, 'signature_invalid'],
    ['embedded jwk header', async () => {
      const k = attacker();
      const g = await genuine();
      return forgeEs256({ ...g.header, jwk: createPublicKey(k).export({ format: 'jwk' }) }, g.payload, k);
    }, 'header_forbidden_param'],
    ['jku header', async () => { const g = await genuine(); return forgeEs256({ ...g.header, jku: 'https://evil.example/jwks' }, g.payload, attacker()); }, 'header_forbidden_param'],
    ['x5u header', async () => { const g = await genuine(); return forgeEs256({ ...g.header, x5u: 'https://evil.example/cert' }, g.payload, attacker()); }, 'header_forbidden_param'],
    ['x5c header (even the issuer\'s own chain)', async () => { const g = await genuine(); return forgeEs256({ ...g.header, x5c: A.ks.current().x5c }, g.payload, g.key); }, 'header_forbidden_param'],
    ['crit header', async () => { const g = await genuine(); return forgeEs256({ ...g.header, crit: ['exp'] }, g.payload, g.key); }, 'header_forbidden_param'],
    ['unknown extra header parameter (genuine key)', async () => { const g = await genuine(); return forgeEs256({ ...g.header, cty: 'JWT' }, g.payload, g.key); }, 'header_invalid'],
    ['DER-encoded signature (genuine key)', async () => { const g = await genuine(); return forgeEs256(g.header, g.payload, g.key, 'der'); }, 'signature_invalid'],
    ['truncated signature', async () => { const g = await genuine(); return g.token.slice(0, -6); }, 'signature_invalid'],
    ['signature swapped in from another genuine token', async () => {
      const a = await genuine();
      const b = await A.token({ patientId: 'Y123456789' });
      return `${a.token.split('.').slice(0, 2).join('.')}.${b.split('.')[2]}`;
    }, 'signature_invalid'],
    ['all-zero signature (r = s = 0)', async () => { const g = await genuine(); return `${g.token.split('.').slice(0, 2).join('.')}.${Buffer.alloc(64).toString('base64url')}`; }, 'signature_invalid'],
    ['tampered claims (KVNR swapped, original signature)', async () => {
      const g = await genuine();
      return encodeParts(g.header, { ...g.payload, patientId: 'Z999999999' }, g.signature);
    }, 'signature_invalid'],
    ['unknown proofMethod (genuine key)', async () => { const g = await genuine(); return forgeEs256(g.header, { ...g.payload, proofMethod: 'ehc-practitioner-contact' }, g.key); }, 'claims_invalid'],
    ['extra claim exp (genuine key)', async () => { const g = await genuine(); return forgeEs256(g.header, { ...g.payload, exp: sec('2030-01-01T00:00:00Z') }, g.key); }, 'claims_unexpected'],
    ['missing claim actorProfessionOid (genuine key)', async () => {
      const g = await genuine();
      const { actorProfessionOid: _drop, ...rest } = g.payload;
      return forgeEs256(g.header, rest, g.key);
    }, 'claims_missing'],
    ['bad KVNR pattern (genuine key)', async () => { const g = await genuine(); return forgeEs256(g.header, { ...g.payload, patientId: 'X11054075' }, g.key); }, 'claims_invalid'],
    ['bad IK pattern (genuine key)', async () => { const g = await genuine(); return forgeEs256(g.header, { ...g.payload, insurerId: '10950096A' }, g.key); }, 'claims_invalid'],
    ['version "1" (genuine key)', async () => { const g = await genuine(); return forgeEs256(g.header, { ...g.payload, version: '1' }, g.key); }, 'claims_invalid'],
    ['iat as a string (genuine key)', async () => { const g = await genuine(); return forgeEs256(g.header, { ...g.payload, iat: String(g.payload.iat) }, g.key); }, 'claims_invalid'],
    ['patientProofTime after iat (genuine key)', async () => { const g = await genuine(); return forgeEs256(g.header, { ...g.payload, patientProofTime: (g.payload.iat as number) + 61 }, g.key); }, 'proof_time_invalid'],
    ['iss with a trailing slash (genuine key)', async () => { const g = await genuine(); return forgeEs256(g.header, { ...g.payload, iss: `${A.issuer}/` }, g.key); }, 'issuer_unknown'],
    ['iss changed to an unconfigured host', async () => { const g = await genuine(); return forgeEs256(g.header, { ...g.payload, iss: 'https://evil.example' }, attacker()); }, 'issuer_unknown'],
    ['unknown kid', async () => { const g = await genuine(); return forgeEs256({ ...g.header, kid: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }, g.payload, attacker()); }, 'kid_unknown'],
    ['oversized token', async () => { const g = await genuine(); return forgeEs256(g.header, { ...g.payload, pad: 'x'.repeat(5000) }, g.key); }, 'token_too_large'],
    ['malformed base64url (illegal character)', async () => { const g = await genuine(); return `${g.token.split('.')[0]}.*${g.token.split('.')[1].slice(1)}.${g.signature}`; }, 'token_malformed'],
    ['non-canonical base64url (trailing bits set)', async () => {
      const g = await genuine();
      const [h, p, s] = g.token.split('.');
      // 64 bytes → 86 chars; the last char carries 4 unused bits. Flipping one keeps the bytes.
      const last = s[s.length - 1];
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
      const alt = alphabet[alphabet.indexOf(last) ^ 1];
      return `${h}.${p}.${s.slice(0, -1)}${alt}`;
    }, 'token_malformed'],
    ['non-JSON payload', async () => { const g = await genuine(); return forgeEs256(g.header, 'not json', g.key); }, 'payload_invalid'],
    ['JSON array payload', async () => { const g = await genuine(); return forgeEs256(g.header, [g.payload], g.key); }, 'payload_invalid'],
    ['non-JSON header', async () => { const g = await genuine(); return `${Buffer.from('{typ:').toString('base64url')}.${g.token.split('.')[1]}.${g.signature}`; }, 'header_invalid'],
    ['two parts', async () => (await genuine()).token.split('.').slice(0, 2).join('.'), 'token_malformed'],
    ['four parts (JWE-like)', async () => `${(await genuine()).token}.AAAA`, 'token_malformed'],
    ['not a string', async () => 12345, 'token_malformed'],
  ];

  it.each(cases)('%s → %s', async (_name, make, code) => {
    const token = await make();
    const r = await verifierFor(A).verify(token, { profile: 'basic' });
    expect(r).toMatchObject({ ok: false, code });
    // Never a request to a place the token names.
    expect(A.fetch.calls.every((u) => u.startsWith(`${A.issuer}/`))).toBe(true);
  });

  it('covers at least 25 distinct forged or malformed tokens', () => expect(cases.length).toBeGreaterThanOrEqual(25));

  it('accepts the genuine token (control)', async () => {
    const r = await verifierFor(A).verify(await A.token(), { profile: 'basic' });
    expect(r).toMatchObject({ ok: true, header: { typ: TYP, alg: 'ES256', kid: A.ks.current().kid }, claims: { iss: A.issuer, patientId: 'X110540756' } });
  });

  it('refuses a valid token from an unconfigured issuer without contacting it', async () => {
    const r = await verifierFor(A).verify(await B.token(), { profile: 'basic' });
    expect(r).toMatchObject({ ok: false, code: 'issuer_unknown' });
    expect(B.fetch.calls).toEqual([]);
    expect(A.fetch.calls.some((u) => u.includes('popp-b'))).toBe(false);
  });

  it('never throws, whatever the input', async () => {
    const v = verifierFor(A);
    for (const t of [null, undefined, {}, [], '', '..', '.'.repeat(5000), 'a.b.c', '\u0000.\u0000.\u0000']) {
      await expect(v.verify(t, { profile: 'basic' })).resolves.toMatchObject({ ok: false });
    }
    await expect(v.verify(await A.token(), { profile: 'nope' as never })).resolves.toMatchObject({ ok: false, code: 'profile_unknown' });
  });
});

describe('property: no single-character change of a genuine token is accepted', () => {
  it('every mutation is refused with a code, none throws', async () => {
    const v = verifierFor(A);
    const token = await A.token();
    expect(await v.verify(token, { profile: 'basic' })).toMatchObject({ ok: true });
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ '.split('');
    await fc.assert(
      fc.asyncProperty(fc.nat({ max: token.length - 1 }), fc.constantFrom(...alphabet), async (pos, ch) => {
        fc.pre(token[pos] !== ch);
        const mutated = token.slice(0, pos) + ch + token.slice(pos + 1);
        const r = await v.verify(mutated, { profile: 'basic' });
        expect(r.ok).toBe(false);
      }),
      { numRuns: 300, seed: 20250215 },
    );
  });
});

describe('time rules', () => {
  it('iat at most 60 s in the future: +60 accepted, +61 refused', async () => {
    const v = verifierFor(A);
    expect(await v.verify(await A.token({}, T0 + 60_000), { profile: 'basic' })).toMatchObject({ ok: true });
    expect(await v.verify(await A.token({}, T0 + 61_000), { profile: 'basic' })).toMatchObject({ ok: false, code: 'iat_in_future' });
  });

  it('E-Rezept: age 30 min accepted, 30 min + 1 s refused; needs and compares the caller\'s Telematik-ID', async () => {
    const v = verifierFor(A);
    const t = await A.token({ actorId: '1-20014060625' }, T0);
    nowMs = T0 + 1800_000;
    expect(await v.verify(t, { profile: 'erezept', actorId: '1-20014060625' })).toMatchObject({ ok: true, validUntil: T0 / 1000 + 1800 });
    nowMs = T0 + 1801_000;
    expect(await v.verify(t, { profile: 'erezept', actorId: '1-20014060625' })).toMatchObject({ ok: false, code: 'token_expired' });
    nowMs = T0;
    expect(await v.verify(t, { profile: 'erezept', actorId: '1-2099999999' })).toMatchObject({ ok: false, code: 'actor_mismatch' });
    expect(await v.verify(t, { profile: 'erezept' })).toMatchObject({ ok: false, code: 'actor_required' });
  });

  it('VSDM: valid until the end of the UTC quarter of iat + 60 s, bounds inclusive', async () => {
    const v = verifierFor(A);
    // 23:30 UTC on 31 March is already 1 April in Germany: the quarter is still Q1 in UTC.
    const t = await A.token({}, Date.parse('2025-03-31T23:30:00Z'));
    const at = async (iso: string) => {
      nowMs = Date.parse(iso);
      return v.verify(t, { profile: 'vsdm' });
    };
    expect(await at('2025-03-31T23:59:59Z')).toMatchObject({ ok: true, validUntil: sec('2025-04-01T00:01:00Z') });
    expect(await at('2025-04-01T00:00:00Z')).toMatchObject({ ok: true });
    expect(await at('2025-04-01T00:00:01Z')).toMatchObject({ ok: true });
    expect(await at('2025-04-01T00:01:00Z')).toMatchObject({ ok: true });
    expect(await at('2025-04-01T00:01:01Z')).toMatchObject({ ok: false, code: 'token_expired' });
  });

  it('VSDM without leeway: end of quarter accepted, one second later refused', async () => {
    const v = verifierFor(A, { profile: { leewaySeconds: 0 } });
    const t = await A.token({}, Date.parse('2025-03-20T08:00:00Z'));
    nowMs = Date.parse('2025-04-01T00:00:00Z');
    expect(await v.verify(t, { profile: 'vsdm' })).toMatchObject({ ok: true });
    nowMs += 1000;
    expect(await v.verify(t, { profile: 'vsdm' })).toMatchObject({ ok: false, code: 'token_expired' });
  });

  it('VSDM: a token issued at the first second of a quarter belongs to that quarter', async () => {
    const v = verifierFor(A);
    const t = await A.token({}, Date.parse('2025-04-01T00:00:00Z'));
    nowMs = Date.parse('2025-06-30T23:00:00Z');
    expect(await v.verify(t, { profile: 'vsdm' })).toMatchObject({ ok: true, validUntil: sec('2025-07-01T00:01:00Z') });
  });
});

describe('ePA single use', () => {
  it('accepts once, refuses the replay, also when the signature is re-encoded as (r, n − s)', async () => {
    const v = verifierFor(A);
    const t = await A.token();
    expect(await v.verify(t, { profile: 'epa' })).toMatchObject({ ok: true });
    expect(await v.verify(t, { profile: 'epa' })).toMatchObject({ ok: false, code: 'replayed' });

    const [h, p, s] = t.split('.');
    const sig = p256.Signature.fromBytes(Buffer.from(s, 'base64url'), 'compact');
    const malleated = `${h}.${p}.${Buffer.from(new p256.Signature(sig.r, p256.Point.CURVE().n - sig.s).toBytes('compact')).toString('base64url')}`;
    expect(malleated).not.toBe(t);
    // The other half of the signature still verifies: only the signed-part hash catches it.
    expect(await verifierFor(A).verify(malleated, { profile: 'basic' })).toMatchObject({ ok: true });
    expect(await v.verify(malleated, { profile: 'epa' })).toMatchObject({ ok: false, code: 'replayed' });
  });

  it('does not burn the token on other profiles, and fails closed when the store cannot record', async () => {
    const store = new MemoryReplayStore({ maxEntries: 1, now: () => Math.floor(nowMs / 1000) });
    const v = verifierFor(A, { replayStore: store });
    const t1 = await A.token();
    expect(await v.verify(t1, { profile: 'vsdm' })).toMatchObject({ ok: true });
    expect(await v.verify(t1, { profile: 'epa' })).toMatchObject({ ok: true });
    const t2 = await A.token({ patientId: 'Y123456789' });
    expect(await v.verify(t2, { profile: 'epa' })).toMatchObject({ ok: false, code: 'replay_store_unavailable' });
    const failing = verifierFor(A, { replayStore: { markUsed: () => Promise.reject(new Error('db down')) } });
    expect(await failing.verify(t2, { profile: 'epa' })).toMatchObject({ ok: false, code: 'replay_store_unavailable' });
  });
});

describe('configuration', () => {
  it('refuses issuers that are not exact origins and missing CAs', () => {
    expect(() => createVerifier({ issuers: [{ iss: 'https://popp.example/', trustAnchors: [A.caPem] }] })).toThrow(VerifierError);
    expect(() => createVerifier({ issuers: [{ iss: 'https://popp.example', trustAnchors: [] }] })).toThrow(VerifierError);
    expect(() => createVerifier({ issuers: [{ iss: 'https://popp.example', trustAnchors: ['not a pem'] }] })).toThrow(VerifierError);
    expect(() => createVerifier({ issuers: [] })).toThrow(VerifierError);
  });
});
