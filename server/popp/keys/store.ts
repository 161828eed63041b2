/**
 * The service's key material: the PoPP token-signing key (with its certificate chain), the
 * federation/entity key, and the retired signing keys that must stay published.
 *
 * Development: generated on first start and persisted in `dir` (files 0600) under a local dev
 * CA. Production: the signing key, its chain and the entity key come from configured PEM files;
 * `dir` then only remembers retired public keys. A store that was created for development is
 * refused in production, as is any certificate carrying the development marker.
 *
 * Retention: a retired key signed tokens until it was retired, and VSDM 2 accepts such tokens
 * until the end of the UTC quarter of their iat (+60 s leeway); it stays in the JWKS that long.
 */
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { endOfUtcQuarter, nowSeconds } from '../token/time';
import { createDevRootCa, generateP256, issueDevSignerCert, type DevCa } from './devpki';
import { KeyStoreError } from './errors';
import { entityKeyFrom } from './entity';
import { ecPublicCoords, thumbprint } from './jwk';
import { loadProductionKeys, type ProductionKeyFiles } from './production';
import type { EntityKey, KeyStore, PublicJwk, SigningKey } from './types';

export const KEYSTORE_FILE = 'popp-keys.json';
export const DEV_CA_FILE = 'dev-root-ca.pem';
/** Leeway consumers add after the end of the quarter (ZETA PEP default). */
export const RETENTION_LEEWAY_SECONDS = 60;

export interface KeyStoreOptions {
  dir: string;
  production: boolean;
  issuer: string;
  /** Required when production is true. */
  productionKeys?: ProductionKeyFiles;
  /** Unix seconds. */
  now?: () => number;
}

const storedKeySchema = z.object({
  kid: z.string(),
  /** Absent for production keys (their private part lives in the configured file) and retired keys. */
  privateKeyPem: z.string().optional(),
  x5c: z.array(z.string()).min(1),
  x: z.string(),
  y: z.string(),
  createdAt: z.number().int(),
  retiredAt: z.number().int().optional(),
});
const storeFileSchema = z.object({
  format: z.literal(1),
  development: z.boolean(),
  current: z.string(),
  keys: z.array(storedKeySchema).min(1),
  entityPrivateKeyPem: z.string().optional(),
  devCa: z.object({ certPem: z.string(), privatePem: z.string() }).optional(),
});
type StoreFile = z.infer<typeof storeFileSchema>;
type StoredKey = z.infer<typeof storedKeySchema>;

/** Whether a retired key is still inside the longest consumer window. */
export function isRetained(retiredAt: number, now: number): boolean {
  return now <= endOfUtcQuarter(retiredAt) + RETENTION_LEEWAY_SECONDS;
}

export async function loadOrCreateKeyStore(opts: KeyStoreOptions): Promise<KeyStore> {
  const now = () => nowSeconds(opts.now);
  const file = path.join(opts.dir, KEYSTORE_FILE);
  let state = readStore(file);

  if (opts.production && state?.development) {
    throw new KeyStoreError('development_keys_refused', `Entwicklungsschlüssel in ${file} werden im Produktivbetrieb nicht verwendet. Produktivschlüssel konfigurieren und das Verzeichnis leeren.`);
  }

  let currentSigner: SigningKey;
  let entityKey: EntityKey;
  if (opts.production) {
    if (!opts.productionKeys) {
      throw new KeyStoreError('production_keys_missing', 'Im Produktivbetrieb müssen Signaturschlüssel, Zertifikatskette und Entity-Schlüssel als PEM-Dateien konfiguriert sein.');
    }
    const loaded = await loadProductionKeys(opts.productionKeys, now() * 1000);
    currentSigner = loaded.signer;
    entityKey = loaded.entity;
    state = adoptProductionKey(state, currentSigner, now());
  } else {
    if (state && !state.development) {
      throw new KeyStoreError('store_corrupt', `${file} gehört zu einem Produktivbetrieb; für die Entwicklung ein eigenes Schlüsselverzeichnis verwenden.`);
    }
    if (!state) state = await createDevState(opts.issuer, now() * 1000, now());
    const cur = state.keys.find((k) => k.kid === state!.current);
    if (!cur?.privateKeyPem || !state.entityPrivateKeyPem) throw new KeyStoreError('store_corrupt', `${file}: aktueller Schlüssel fehlt.`);
    currentSigner = await signingKeyFrom(cur, createPrivateKey(cur.privateKeyPem));
    entityKey = await entityKeyFrom(createPrivateKey(state.entityPrivateKeyPem));
  }
  state = prune(state, now());
  persist(opts.dir, state);

  let st: StoreFile = state;
  return {
    development: !opts.production,
    devCaPem: st.devCa?.certPem,
    entityKey,
    current: () => currentSigner,
    published: () => st.keys.filter((k) => k.kid === st.current || (k.retiredAt !== undefined && isRetained(k.retiredAt, now()))).map(publicJwkOf),
    async rotate() {
      if (opts.production || !st.devCa) {
        throw new KeyStoreError('rotation_unsupported', 'Produktivschlüssel werden durch Austausch der konfigurierten Dateien und Neustart rotiert.');
      }
      const t = now();
      const { privateKey, privatePem } = generateP256();
      const fresh = await newStoredKey(st.devCa, privateKey, privatePem, opts.issuer, t * 1000, t);
      // A retired key no longer needs its private half on disk.
      const keys = st.keys.map((k) => (k.kid === st.current ? { ...k, retiredAt: t, privateKeyPem: undefined } : k));
      st = prune({ ...st, current: fresh.kid, keys: [fresh, ...keys] }, t);
      persist(opts.dir, st);
      currentSigner = await signingKeyFrom(fresh, privateKey);
      return currentSigner;
    },
  };
}

function readStore(file: string): StoreFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    return storeFileSchema.parse(JSON.parse(readFileSync(file, 'utf8')));
  } catch (e) {
    throw new KeyStoreError('store_corrupt', `Schlüsseldatei ${file} ist beschädigt.`, { cause: e });
  }
}

function persist(dir: string, state: StoreFile): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, KEYSTORE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2), { mode: 0o600 });
  renameSync(tmp, file); // atomic: a crash never leaves half a key file
  if (state.devCa) {
    writeFileSync(path.join(dir, DEV_CA_FILE), state.devCa.certPem, { mode: 0o600 });
    chmodSync(path.join(dir, DEV_CA_FILE), 0o600);
  }
}

async function createDevState(issuer: string, nowMs: number, t: number): Promise<StoreFile> {
  const devCa = await createDevRootCa(nowMs);
  const { privateKey, privatePem } = generateP256();
  const signer = await newStoredKey(devCa, privateKey, privatePem, issuer, nowMs, t);
  return { format: 1, development: true, current: signer.kid, keys: [signer], entityPrivateKeyPem: generateP256().privatePem, devCa };
}

async function newStoredKey(ca: DevCa, privateKey: KeyObject, privatePem: string, issuer: string, nowMs: number, t: number): Promise<StoredKey> {
  const c = ecPublicCoords(privateKey)!;
  const x5c = await issueDevSignerCert(ca, privateKey, issuer, nowMs);
  return { kid: await thumbprint(c), privateKeyPem: privatePem, x5c, x: c.x, y: c.y, createdAt: t };
}

/** Records a newly configured production key; the previously current one is retired now. */
function adoptProductionKey(state: StoreFile | undefined, signer: SigningKey, t: number): StoreFile {
  const entry: StoredKey = { kid: signer.kid, x5c: signer.x5c, x: signer.publicJwk.x, y: signer.publicJwk.y, createdAt: t };
  if (!state) return { format: 1, development: false, current: signer.kid, keys: [entry] };
  if (state.current === signer.kid) return state;
  const others = state.keys.filter((k) => k.kid !== signer.kid).map((k) => (k.kid === state.current ? { ...k, retiredAt: t } : k));
  return { ...state, current: signer.kid, keys: [entry, ...others] };
}

function prune(state: StoreFile, t: number): StoreFile {
  return { ...state, keys: state.keys.filter((k) => k.kid === state.current || (k.retiredAt !== undefined && isRetained(k.retiredAt, t))) };
}

function publicJwkOf(k: StoredKey): PublicJwk {
  return { kty: 'EC', crv: 'P-256', x: k.x, y: k.y, kid: k.kid, alg: 'ES256', use: 'sig', x5c: k.x5c };
}

async function signingKeyFrom(k: StoredKey, privateKey: KeyObject): Promise<SigningKey> {
  return { kid: k.kid, privateKey, publicJwk: publicJwkOf(k), x5c: k.x5c };
}
