/**
 * Trust decisions for the eGK: gematik TSL, C.CH.AUT path validation, OCSP and the eGK hash
 * database. The eGK service needs `createTrustDecision` (or `createTrust` for wiring from
 * configuration); the admin API and CLI need `HashDbImporter`; the store registers `hashDbMigration`.
 */
export { TrustError, TRUST_ERRORS, bdeCodeOf, isTrustError, type TrustErrorCode } from './errors';
export type { PoppEnv } from './env';
export {
  createTrustDecision,
  type TrustAuditEvent,
  type TrustContext,
  type TrustDecision,
  type TrustDecisionConfig,
  type TrustRefusal,
  type TrustResult,
} from './decision';
export { createTrust, gematikTestTrustOptions, type Trust, type TrustSetupDeps, type TrustSetupOptions } from './setup';

export { TrustStore, type ReloadOutcome, type TrustAlarm, type TrustStoreOptions, type TrustStoreTimer } from './tsl/trust-store';
export { loadTsl, checkTslSigner, type LoadTslOptions, type TslSignerPin } from './tsl/load';
export { parseRootsJson, type TiRoot } from './tsl/roots';
export { TrustSnapshot, type CvcRoot, type TrustView, type TslCa, type TslInfo } from './tsl/snapshot';
export { ConfiguredAnchors, anchorFromDer, combineTrust, type AnchorSpec } from './tsl/anchors';

export { TrustCert } from './x509/certificate';
export { validateChAutPath, type PathOptions, type PathResult } from './x509/path';

export { OcspChecker, DEFAULT_OCSP_TIMEOUT_MS, type OcspCheckInput, type OcspCheckerOptions, type OcspOutcome } from './ocsp/checker';
export { OcspCache } from './ocsp/cache';
export { OfflineOcspPolicy, type OfflineOcspAnchor, type OfflineOcspUse } from './ocsp/offline-policy';
export { verifyOcspResponse, DEFAULT_OCSP_TOLERANCE_MS, type OcspStatus, type OcspTarget } from './ocsp/verify';
export { parseOcspResponse, type ParsedOcspResponse } from './ocsp/response';
export { OcspResponder, listenOcspResponder, type CertStatusSpec, type OcspResponderOptions, type ResponderMode } from './ocsp/responder';

export { hashDbMigration, type HashDbTables, type EgkHashEntryTable, type EgkHashImportJobTable, type HashEntryState, type ImportJobStatus } from './hashdb/schema';
export { HashDbRepository, type HashPair, type ApplyCounts } from './hashdb/repository';
export { HashDbImporter, type HashDbImporterOptions, type ImportJob } from './hashdb/importer';
export { importSignerPins, verifySignedImport, DEFAULT_MAX_IMPORT_BYTES, type ImportSignerPin, type VerifiedImport } from './hashdb/cms';
export { parseEContent, encodeEContent, type HashDbEntry } from './hashdb/econtent';
