export { loadOrCreateKeyStore, isRetained, KEYSTORE_FILE, DEV_CA_FILE, type KeyStoreOptions } from './store';
export type { ProductionKeyFiles } from './production';
export type { KeyStore, SigningKey, EntityKey, PublicJwk } from './types';
export { KeyStoreError, type KeyStoreErrorCode } from './errors';
export { OID_POPP_TOKEN, ADMISSION_OID } from './admission';
