/**
 * The path from a configured issuer to a trusted key: entity statement → signed JWKS → x5c.
 * Each test tampers with one link and expects the token to be refused with that link's code.
 */
import { beforeEach, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { KeyObject } from 'node:crypto';
import { createDevRootCa, generateP256, issueDevSignerCert, KEY_USAGE, type SignerCertOptions } from '../popp/keys/devpki';
import { ecPublicCoords, thumbprint } from '../popp/keys/jwk';
import { wellKnownRoutes } from '../popp/wellknown/handlers';
import { createVerifier, type VerifierConfig } from './verifier';
import { createTestIssuer, decodeParts, forgeEs256, type TestIssuer } from './testing/issuer';

const T0 = Date.parse('2025-02-15T10:00:00Z');
let nowMs = T0;
const clock = () => Math.floor(nowMs / 1000);
const TYP = 'vnd.telematik.popp+jwt';
beforeEach(() => {
  nowMs = T0;
});

const fresh = (issuer = 'https://popp-k.test') => createTestIssuer({ issuer, now: clock });
const verifierFor = (iss: TestIssuer, extra: Partial<VerifierConfig['issuers'][0]> = {}) =>
  createVerifier({ issuers: [{ iss: iss.issuer, trustAnchors: [iss.caPem], fetch: iss.fetch, ...extra }], now: clock });
const basic = { profile: 'basic' } as const;

/** A signing key with a certificate of our choosing, and a token signed by it. */
async function oddKey(iss: TestIssuer, opts: SignerCertOptions & { issuerCa?: { certPem: string; privatePem: string }; certFor?: KeyObject } = {}) {
  const k = generateP256().privateKey;
  const c = ecPublicCoords(k)!;
  const kid = await thumbprint(c);
  const x5c = await issueDevSignerCert(opts.issuerCa ?? iss.devCa, opts.certFor ?? k, iss.issuer, T0, opts);
  const jwk = { ...c, kid, alg: 'ES256', use: 'sig', x5c };
  const { payload } = decodeParts(await iss.token());
  return { jwk, token: forgeEs256({ typ: TYP, alg: 'ES256', kid }, payload, k) };
}

function publishJwks(iss: TestIssuer, keys: unknown[], signer: { key: KeyObject; kid: string } = { key: iss.ks.entityKey.privateKey, kid: iss.ks.entityKey.kid }, typ = 'jwk-set+jwt') {
  const body = forgeEs256({ typ, alg: 'ES256', kid: signer.kid }, { iss: iss.issuer, iat: Math.floor(nowMs / 1000), keys }, signer.key);
  iss.routes.set(`${iss.issuer}/.well-known/signed-jwks`, () => ({ status: 200, headers: { 'content-type': 'application/jwk-set+jwt' }, body }));
}

async function tamperStatement(iss: TestIssuer, edit: (p: Record<string, unknown>) => void, key: KeyObject = iss.ks.entityKey.privateKey) {
  const genuine = await iss.routes.get(`${iss.issuer}/.well-known/openid-federation`)!();
  const { header, payload } = decodeParts(genuine.body);
  edit(payload);
  const body = forgeEs256(header, payload, key);
  iss.routes.set(`${iss.issuer}/.well-known/openid-federation`, () => ({ ...genuine, body }));
}

describe('signed JWKS and entity statement', () => {
  it('JWKS signed by the token key instead of the entity key → jwks_invalid', async () => {
    const iss = await fresh();
    const cur = iss.ks.current();
    publishJwks(iss, iss.ks.published(), { key: cur.privateKey, kid: cur.kid });
    expect(await verifierFor(iss).verify(await iss.token(), basic)).toMatchObject({ ok: false, code: 'jwks_invalid' });
  });

  it('JWKS signed by a foreign key under the entity kid → jwks_invalid', async () => {
    const iss = await fresh();
    publishJwks(iss, iss.ks.published(), { key: generateP256().privateKey, kid: iss.ks.entityKey.kid });
    expect(await verifierFor(iss).verify(await iss.token(), basic)).toMatchObject({ ok: false, code: 'jwks_invalid' });
  });

  it('JWKS with the wrong typ → jwks_invalid', async () => {
    const iss = await fresh();
    publishJwks(iss, iss.ks.published(), undefined, 'JWT');
    expect(await verifierFor(iss).verify(await iss.token(), basic)).toMatchObject({ ok: false, code: 'jwks_invalid' });
  });

  it('entity statement whose signature does not match its listed key → entity_statement_invalid', async () => {
    const iss = await fresh();
    await tamperStatement(iss, () => undefined, generateP256().privateKey);
    expect(await verifierFor(iss).verify(await iss.token(), basic)).toMatchObject({ ok: false, code: 'entity_statement_invalid' });
  });

  it('signed_jwks_uri on another origin → entity_statement_invalid, and that origin is never contacted', async () => {
    const iss = await fresh();
    await tamperStatement(iss, (p) => {
      (p.metadata as { oauth_resource: { signed_jwks_uri: string } }).oauth_resource.signed_jwks_uri = 'https://evil.example/jwks';
    });
    expect(await verifierFor(iss).verify(await iss.token(), basic)).toMatchObject({ ok: false, code: 'entity_statement_invalid' });
    expect(iss.fetch.calls.some((u) => u.includes('evil'))).toBe(false);
  });

  it('entity statement about another subject, or expired → entity_statement_invalid', async () => {
    const a = await fresh();
    await tamperStatement(a, (p) => void (p.sub = 'https://other.example'));
    expect(await verifierFor(a).verify(await a.token(), basic)).toMatchObject({ ok: false, code: 'entity_statement_invalid' });
    const b = await fresh();
    await tamperStatement(b, (p) => void (p.exp = Math.floor(T0 / 1000) - 1));
    expect(await verifierFor(b).verify(await b.token(), basic)).toMatchObject({ ok: false, code: 'entity_statement_invalid' });
  });

  it('pinned entity key: a different key is refused, the right one accepted', async () => {
    const iss = await fresh();
    const wrong = await thumbprint(ecPublicCoords(generateP256().privateKey)!);
    expect(await verifierFor(iss, { entityKeyThumbprints: [wrong] }).verify(await iss.token(), basic)).toMatchObject({ ok: false, code: 'entity_statement_invalid' });
    expect(await verifierFor(iss, { entityKeyThumbprints: [iss.ks.entityKey.kid] }).verify(await iss.token(), basic)).toMatchObject({ ok: true });
  });

  it('an attacker who controls the whole publication but not the CA gets nowhere → key_chain_invalid', async () => {
    const iss = await fresh();
    const evil = await fresh(iss.issuer); // same URL, own keys, own CA, own (role-bearing) certificates
    for (const [url, h] of evil.routes) iss.routes.set(url, h);
    expect(await verifierFor(iss).verify(await evil.token(), basic)).toMatchObject({ ok: false, code: 'key_chain_invalid' });
  });

  it('issuer unreachable or answering 500 → keys_unavailable; garbage → entity_statement_invalid', async () => {
    const iss = await fresh();
    iss.routes.set(`${iss.issuer}/.well-known/openid-federation`, () => ({ status: 500, headers: {}, body: 'oops' }));
    expect(await verifierFor(iss).verify(await iss.token(), basic)).toMatchObject({ ok: false, code: 'keys_unavailable' });
    iss.routes.set(`${iss.issuer}/.well-known/openid-federation`, () => ({ status: 200, headers: {}, body: '<html>hello</html>' }));
    expect(await verifierFor(iss).verify(await iss.token(), basic)).toMatchObject({ ok: false, code: 'entity_statement_invalid' });
    const v = createVerifier({ issuers: [{ iss: iss.issuer, trustAnchors: [iss.caPem], fetch: () => Promise.reject(new Error('ECONNREFUSED')) }], now: clock });
    expect(await v.verify(await iss.token(), basic)).toMatchObject({ ok: false, code: 'keys_unavailable' });
  });

  it('an oversized publication is not read → keys_unavailable', async () => {
    const iss = await fresh();
    iss.routes.set(`${iss.issuer}/.well-known/signed-jwks`, () => ({ status: 200, headers: {}, body: 'x'.repeat(300 * 1024) }));
    expect(await verifierFor(iss).verify(await iss.token(), basic)).toMatchObject({ ok: false, code: 'keys_unavailable' });
  });
});

describe('certificates of published keys', () => {
  it('key without the oid_popp-token role → key_role_missing (also with another TI role)', async () => {
    const iss = await fresh();
    const none = await oddKey(iss, { roles: [] });
    const other = await oddKey(iss, { roles: [{ item: 'PoPP', oid: '1.2.276.0.76.4.293' }] });
    publishJwks(iss, [...iss.ks.published(), none.jwk, other.jwk]);
    const v = verifierFor(iss);
    expect(await v.verify(none.token, basic)).toMatchObject({ ok: false, code: 'key_role_missing' });
    expect(await v.verify(other.token, basic)).toMatchObject({ ok: false, code: 'key_role_missing' });
    // One bad key does not take the good one down.
    expect(await v.verify(await iss.token(), basic)).toMatchObject({ ok: true });
  });

  it('key whose certificate only allows key encipherment → key_usage_invalid', async () => {
    const iss = await fresh();
    const k = await oddKey(iss, { keyUsage: [2] });
    publishJwks(iss, [k.jwk]);
    expect(await verifierFor(iss).verify(k.token, basic)).toMatchObject({ ok: false, code: 'key_usage_invalid' });
  });

  it('key certified by a CA that is not configured → key_chain_invalid', async () => {
    const iss = await fresh();
    const otherCa = await createDevRootCa(T0);
    const k = await oddKey(iss, { issuerCa: otherCa });
    publishJwks(iss, [k.jwk]);
    expect(await verifierFor(iss).verify(k.token, basic)).toMatchObject({ ok: false, code: 'key_chain_invalid' });
  });

  it('x5c that certifies a different key → key_mismatch', async () => {
    const iss = await fresh();
    const k = await oddKey(iss, { certFor: generateP256().privateKey });
    publishJwks(iss, [k.jwk]);
    expect(await verifierFor(iss).verify(k.token, basic)).toMatchObject({ ok: false, code: 'key_mismatch' });
  });

  it('expired signer certificate → key_cert_expired', async () => {
    const iss = await fresh();
    const k = await oddKey(iss, { notBeforeMs: T0 - 10 * 86_400_000, notAfterMs: T0 - 1000 });
    publishJwks(iss, [k.jwk]);
    expect(await verifierFor(iss).verify(k.token, basic)).toMatchObject({ ok: false, code: 'key_cert_expired' });
  });

  it('a CA certificate used as a signer → key_usage_invalid', async () => {
    const iss = await fresh();
    const k = await oddKey(iss, { ca: true, keyUsage: [KEY_USAGE.digitalSignature, KEY_USAGE.keyCertSign] });
    publishJwks(iss, [k.jwk]);
    expect(await verifierFor(iss).verify(k.token, basic)).toMatchObject({ ok: false, code: 'key_usage_invalid' });
  });
});

describe('caching, refresh and rotation', () => {
  it('fetches once for concurrent first verifications', async () => {
    const iss = await fresh();
    const v = verifierFor(iss);
    const t = await iss.token();
    const rs = await Promise.all(Array.from({ length: 10 }, () => v.verify(t, basic)));
    expect(rs.every((r) => r.ok)).toBe(true);
    expect(iss.fetch.calls).toHaveLength(2);
  });

  it('bounds refetches on unknown kids (at most one per minute)', async () => {
    const iss = await fresh();
    const v = verifierFor(iss);
    await v.verify(await iss.token(), basic);
    const { payload } = decodeParts(await iss.token());
    nowMs += 61_000;
    for (let i = 0; i < 30; i++) {
      const forged = forgeEs256({ typ: TYP, alg: 'ES256', kid: `unknown${i}` }, payload, generateP256().privateKey);
      expect(await v.verify(forged, basic)).toMatchObject({ ok: false, code: 'kid_unknown' });
      nowMs += 1000;
    }
    // the initial round (2 documents) + exactly one refetch round: the next is only allowed 60 s later
    expect(iss.fetch.calls.length).toBe(4);
  });

  it('after rotation: the new key is found by a refetch, the old key keeps verifying', async () => {
    const iss = await fresh();
    const v = verifierFor(iss);
    const before = await iss.token();
    expect(await v.verify(before, basic)).toMatchObject({ ok: true });
    nowMs += 120_000;
    await iss.ks.rotate();
    const after = await iss.token();
    expect(decodeParts(after).header.kid).not.toBe(decodeParts(before).header.kid);
    expect(await v.verify(after, basic)).toMatchObject({ ok: true });
    expect(await v.verify(before, basic)).toMatchObject({ ok: true });
  });

  it('refreshes hourly and keeps the last good keys when a refresh fails', async () => {
    const iss = await fresh();
    const v = verifierFor(iss);
    const t = await iss.token();
    await v.verify(t, basic);
    expect(iss.fetch.calls).toHaveLength(2);
    nowMs += 3601_000;
    iss.routes.set(`${iss.issuer}/.well-known/signed-jwks`, () => ({ status: 503, headers: {}, body: '' }));
    expect(await v.verify(t, basic)).toMatchObject({ ok: true });
    expect(iss.fetch.calls.length).toBe(4);
  });
});

describe('over a real HTTP socket', () => {
  it('loads keys from a listening issuer with the built-in fetch', async () => {
    const server = createServer();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const iss = await createTestIssuer({ issuer });
      const routes = wellKnownRoutes(iss.ks, issuer, 'HTTP-Test');
      server.on('request', async (req, res) => {
        const r = routes.find((x) => x.path === req.url);
        if (!r) return void res.writeHead(404).end();
        const out = await r.handle();
        res.writeHead(out.status, out.headers).end(out.body);
      });
      const v = createVerifier({ issuers: [{ iss: issuer, trustAnchors: [iss.caPem] }] });
      expect(await v.verify(await iss.token(), { profile: 'vsdm' })).toMatchObject({ ok: true, claims: { iss: issuer } });
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
