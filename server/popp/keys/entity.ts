import type { KeyObject } from 'node:crypto';
import { KeyStoreError } from './errors';
import { ecPublicCoords, thumbprint } from './jwk';
import type { EntityKey } from './types';

export async function entityKeyFrom(privateKey: KeyObject): Promise<EntityKey> {
  const c = ecPublicCoords(privateKey);
  if (!c) throw new KeyStoreError('key_file_invalid', 'Der Entity-Schlüssel muss ein EC-P-256-Schlüssel sein.');
  const kid = await thumbprint(c);
  return { kid, privateKey, publicJwk: { ...c, kid, alg: 'ES256', use: 'sig' } };
}
