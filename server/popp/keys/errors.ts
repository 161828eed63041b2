import { PoppError } from '../../../lib/errors';

export type KeyStoreErrorCode =
  | 'development_keys_refused'
  | 'production_keys_missing'
  | 'key_file_invalid'
  | 'cert_chain_invalid'
  | 'key_cert_mismatch'
  | 'signer_role_missing'
  | 'store_corrupt'
  | 'rotation_unsupported';

export class KeyStoreError extends PoppError<KeyStoreErrorCode> {
  readonly layer = 'keys';
}
