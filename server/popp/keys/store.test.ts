import { describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadOrCreateKeyStore, KEYSTORE_FILE, DEV_CA_FILE, isRetained } from './store';
import { KeyStoreError } from './errors';
import { certExtensionsInfo } from './certinfo';
import { OID_POPP_TOKEN } from './admission';
import { createDevRootCa, generateP256, issueDevSignerCert } from './devpki';
import { ecPublicCoords, thumbprint } from './jwk';

const issuer = 'https://popp.example.com';
const tmp = () => mkdtempSync(path.join(tmpdir(), 'popp-keys-'));
const at = (iso: string) => () => Date.parse(iso);

describe('loadOrCreateKeyStore (development)', () => {
  it('creates a P-256 key with a dev chain on first start, files 0600, and reloads the same key', async () => {
    const dir = tmp();
    const ks = await loadOrCreateKeyStore({ dir, production: false, issuer });
    expect(ks.development).toBe(true);
    const key = ks.current();
    expect(key.kid).toBe(await thumbprint(ecPublicCoords(key.privateKey)!));
    expect(statSync(path.join(dir, KEYSTORE_FILE)).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(dir, DEV_CA_FILE)).mode & 0o777).toBe(0o600);

    const leaf = new X509Certificate(Buffer.from(key.x5c[0], 'base64'));
    const root = new X509Certificate(readFileSync(path.join(dir, DEV_CA_FILE)));
    expect(leaf.verify(root.publicKey)).toBe(true);
    expect(leaf.checkIssued(root)).toBe(true);
    expect(root.ca).toBe(true);
    const info = certExtensionsInfo(leaf.raw);
    expect(info.roles).toEqual([OID_POPP_TOKEN]);
    expect([...info.keyUsage!].sort()).toEqual([0, 1]);
    expect(ecPublicCoords(leaf.publicKey)).toEqual(ecPublicCoords(key.privateKey));

    const again = await loadOrCreateKeyStore({ dir, production: false, issuer });
    expect(again.current().kid).toBe(key.kid);
    expect(again.entityKey.kid).toBe(ks.entityKey.kid);
    expect(again.entityKey.kid).not.toBe(key.kid);
  });

  it('publishes kid, alg, use and x5c for each key', async () => {
    const ks = await loadOrCreateKeyStore({ dir: tmp(), production: false, issuer });
    const [jwk] = ks.published();
    expect(jwk).toMatchObject({ kty: 'EC', crv: 'P-256', kid: ks.current().kid, alg: 'ES256', use: 'sig' });
    expect(jwk.x5c).toHaveLength(2);
    expect(JSON.stringify(jwk)).not.toMatch(/"d"/);
  });

  it('rotates: the new key signs, the old one stays published until end of quarter + 60 s, then is dropped', async () => {
    const dir = tmp();
    let now = Date.parse('2025-02-10T12:00:00Z');
    const ks = await loadOrCreateKeyStore({ dir, production: false, issuer, now: () => Math.floor(now / 1000) });
    const old = ks.current().kid;
    const fresh = (await ks.rotate()).kid;
    expect(fresh).not.toBe(old);
    expect(ks.current().kid).toBe(fresh);
    expect(ks.published().map((k) => k.kid)).toEqual([fresh, old]);

    now = Date.parse('2025-04-01T00:01:00Z'); // end of Q1 + 60 s: inclusive
    expect(ks.published().map((k) => k.kid)).toEqual([fresh, old]);
    now += 1000;
    expect(ks.published().map((k) => k.kid)).toEqual([fresh]);

    // Persisted: a restart inside the window still publishes both, and the retired private key is gone from disk.
    now = Date.parse('2025-03-01T00:00:00Z');
    const reloaded = await loadOrCreateKeyStore({ dir, production: false, issuer, now: () => Math.floor(now / 1000) });
    expect(reloaded.current().kid).toBe(fresh);
    expect(reloaded.published().map((k) => k.kid)).toEqual([fresh, old]);
    const stored = JSON.parse(readFileSync(path.join(dir, KEYSTORE_FILE), 'utf8'));
    expect(stored.keys.find((k: { kid: string }) => k.kid === old).privateKeyPem).toBeUndefined();
    // A restart after the window drops the old key from the file too.
    now = Date.parse('2025-07-01T00:00:00Z');
    await loadOrCreateKeyStore({ dir, production: false, issuer, now: () => Math.floor(now / 1000) });
    expect(JSON.parse(readFileSync(path.join(dir, KEYSTORE_FILE), 'utf8')).keys).toHaveLength(1);
  });

  it('isRetained uses the UTC quarter of the retirement', () => {
    const s = (iso: string) => Date.parse(iso) / 1000;
    expect(isRetained(s('2025-12-31T23:59:00Z'), s('2026-01-01T00:01:00Z'))).toBe(true);
    expect(isRetained(s('2025-12-31T23:59:00Z'), s('2026-01-01T00:01:01Z'))).toBe(false);
  });

  it('reports a corrupt key file with a typed error', async () => {
    const dir = tmp();
    writeFileSync(path.join(dir, KEYSTORE_FILE), '{"format":1');
    await expect(loadOrCreateKeyStore({ dir, production: false, issuer })).rejects.toMatchObject({ code: 'store_corrupt' });
  });
});

describe('loadOrCreateKeyStore (production)', () => {
  async function productionFiles(dir: string, opts: { dev?: boolean; roles?: Array<{ item: string; oid: string }>; mismatch?: boolean } = {}) {
    const ca = await createDevRootCa(Date.now(), { markDevelopment: opts.dev ?? false, cn: 'Test Komp CA' });
    const signer = generateP256();
    const certKey = opts.mismatch ? generateP256().privateKey : signer.privateKey;
    const x5c = await issueDevSignerCert(ca, certKey, issuer, Date.now(), { roles: opts.roles });
    const pem = x5c.map((b) => new X509Certificate(Buffer.from(b, 'base64')).toString()).join('');
    const files = { signingKeyFile: path.join(dir, 'signer.key.pem'), signingCertChainFile: path.join(dir, 'signer.chain.pem'), entityKeyFile: path.join(dir, 'entity.key.pem') };
    writeFileSync(files.signingKeyFile, signer.privatePem);
    writeFileSync(files.signingCertChainFile, pem);
    writeFileSync(files.entityKeyFile, generateP256().privatePem);
    return files;
  }

  it('refuses a key directory created for development', async () => {
    const dir = tmp();
    await loadOrCreateKeyStore({ dir, production: false, issuer });
    const err = await loadOrCreateKeyStore({ dir, production: true, issuer, productionKeys: await productionFiles(tmp()) }).catch((e) => e);
    expect(err).toBeInstanceOf(KeyStoreError);
    expect(err.code).toBe('development_keys_refused');
  });

  it('refuses to start without configured key files', async () => {
    await expect(loadOrCreateKeyStore({ dir: tmp(), production: true, issuer })).rejects.toMatchObject({ code: 'production_keys_missing' });
  });

  it('refuses a chain from the development CA', async () => {
    await expect(loadOrCreateKeyStore({ dir: tmp(), production: true, issuer, productionKeys: await productionFiles(tmp(), { dev: true }) })).rejects.toMatchObject({
      code: 'development_keys_refused',
    });
  });

  it('refuses a signer certificate without oid_popp-token', async () => {
    const files = await productionFiles(tmp(), { roles: [{ item: 'PoPP', oid: '1.2.276.0.76.4.293' }] });
    await expect(loadOrCreateKeyStore({ dir: tmp(), production: true, issuer, productionKeys: files })).rejects.toMatchObject({ code: 'signer_role_missing' });
  });

  it('refuses a certificate that belongs to another key', async () => {
    const files = await productionFiles(tmp(), { mismatch: true });
    await expect(loadOrCreateKeyStore({ dir: tmp(), production: true, issuer, productionKeys: files })).rejects.toMatchObject({ code: 'key_cert_mismatch' });
  });

  it('uses configured files, keeps the replaced key published, and does not rotate on its own', async () => {
    const dir = tmp();
    const first = await loadOrCreateKeyStore({ dir, production: true, issuer, productionKeys: await productionFiles(tmp()) });
    expect(first.development).toBe(false);
    expect(first.devCaPem).toBeUndefined();
    await expect(first.rotate()).rejects.toMatchObject({ code: 'rotation_unsupported' });
    const second = await loadOrCreateKeyStore({ dir, production: true, issuer, productionKeys: await productionFiles(tmp()) });
    expect(second.published().map((k) => k.kid)).toEqual([second.current().kid, first.current().kid]);
    expect(readFileSync(path.join(dir, KEYSTORE_FILE), 'utf8')).not.toContain('PRIVATE KEY');
  });
});
