/**
 * Secrets that development may generate on first start and keep in DATA_DIR
 * (mode 0600): the next-auth session secret, the relying party's ID-token
 * decryption key, the test IdP's keys. Production must bring its own.
 */
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export function persistedJson<T>(dir: string, name: string, make: () => T): T {
  const file = path.join(dir, name);
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as T;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const value = make();
  writeFileSync(file, JSON.stringify(value, null, 2), { mode: 0o600 });
  chmodSync(file, 0o600);
  return value;
}

export type PrivateJwk = Record<string, string>;

export function newEcJwk(kid: string, use: 'sig' | 'enc', alg: string): PrivateJwk {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return { ...(privateKey.export({ format: 'jwk' }) as PrivateJwk), kid, use, alg };
}

export function publicPart(jwk: PrivateJwk): PrivateJwk {
  const { d: _d, ...pub } = jwk;
  return pub;
}

export interface DevSecrets {
  nextAuthSecret: string;
  /** The relying party's ECDH-ES key: the IdP encrypts ID tokens to it. */
  rpEncryptionJwk: PrivateJwk;
}

export function loadDevSecrets(dataDir: string): DevSecrets {
  return persistedJson(path.join(dataDir, 'secrets'), 'dev-secrets.json', () => ({
    nextAuthSecret: randomBytes(32).toString('base64url'),
    rpEncryptionJwk: newEcJwk(`rp-enc-${randomBytes(4).toString('hex')}`, 'enc', 'ECDH-ES'),
  }));
}
