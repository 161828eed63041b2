export { createVerifier, DEFAULT_MAX_TOKEN_LENGTH, type Verifier, type VerifierConfig, type IssuerConfig, type VerifyOptions, type VerifyResult } from './verifier';
export { VERIFY_CODES, type VerifyCode, type Refusal } from './codes';
export { VERIFY_MESSAGES } from './messages';
export { PROFILES, DEFAULT_PROFILE_SETTINGS, type Profile, type ProfileSettings } from './profiles';
export { MemoryReplayStore, type ReplayStore } from './replay';
export { VerifierError, type VerifierErrorCode } from './errors';
export { verifyHttpHandler, handleVerifyRequest, VERIFY_PATH, MAX_VERIFY_BODY_BYTES } from './http';
export type { FetchLike } from './keysource';
