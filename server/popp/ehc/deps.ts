import type { IncomingMessage } from 'node:http';
import type { CardCrypto } from '../../../lib/card-crypto/port';
import type { Lang } from '../../../lib/popp-messages/bde-codes';
import type { TrustAnchor } from '../../card/cvc/verify';

/** The institution behind a WebSocket, as the lead's `authenticate` proves it. */
export interface EhcActor {
  telematikId: string;
  professionOid: string;
  name?: string;
}

export interface EhcTokenInput {
  proofMethod: 'ehc-practitioner-trustedchannel';
  /** NumericDate (seconds): when the card's last answer (the SM-protected CH.AUT read) arrived. */
  patientProofTime: number;
  patientId: string;
  insurerId: string;
  actor: { telematikId: string; professionOid: string };
  /** Our session id (not the client's clientSessionId): for the audit trail. */
  sessionId: string;
  /** Card holder's name from C.CH.AUT, for the practice's check-in list only (never in the token). */
  holderName?: string | null;
}

/**
 * Card-side trust. CVCs are raw `7F21` objects; keys are raw brainpoolP256r1 values.
 * `devEhcTrust()` (dev-trust.ts) builds one from gematik's test material.
 */
export interface EhcTrust {
  /** Public keys trusted without a certificate: CVC roots (test: DEGXX 87-02-22; production: DEZGW roots). */
  cvcRoots: TrustAnchor[];
  /**
   * Link (cross) CVCs and further CA CVCs. Used twice: to connect a card's sub-CA to a
   * root in `cvcRoots`, and to find the import path from a root the card knows
   * (LIST PUBLIC KEY) to the service's chain. Every one is verified before use.
   */
  cvcLinks: Uint8Array[];
  /**
   * The service's own chain, top-down: sub-CA, then the end-entity CVC with the null flag
   * list (a leading self-signed root is allowed and never sent).
   */
  serviceCvcChain: Uint8Array[];
  /** Private scalar (32 bytes, big-endian) of the service end-entity CVC's key. */
  serviceKey: Uint8Array;
  /**
   * Further service identities under other roots, tried when a card cannot reach the first
   * (development: gematik's test CVC plus the test PKI's, so both kinds of card work).
   */
  moreServiceIdentities?: { cvcChain: Uint8Array[]; key: Uint8Array }[];
  /**
   * CHR of the root the service speculatively imports from in scenario 1 — the root
   * most cards know. Default: the CAR of `serviceCvcChain[0]`.
   */
  expectedCardRoot?: Uint8Array;
  /**
   * The trust decision on the card's C.CH.AUT, asked after the SM-protected read and before a
   * token: path to a TSL CA and a TI root, validity, key usage and policy, OCSP, and the hash-DB
   * pair check with the card's end-entity CVC (`cardCvc`, the bytes of EF.C.eGK.AUT_CVC.E256 as
   * read). `createTrustDecision(...).validateChAut` (server/trust) fits as is. On refusal it throws
   * an EhcError (e.g. `chaut-invalid` → 79117), a TrustError (its `bde` goes to the client), or any
   * error carrying `bdeCode: '79xxx'`.
   */
  validateChAut(der: Uint8Array, ctx: EhcTrustContext): Promise<unknown>;
  /**
   * True when `validateChAut` is the full decision (TSL, OCSP, hash DB) rather than the
   * development check of `devEhcTrust`. In production the endpoint answers upgrades with 404
   * unless this is set.
   */
  fullTrustDecision?: boolean;
}

export interface EhcTrustContext {
  /** The card's end-entity CVC exactly as read: hashCvc = SHA-256 of these bytes. */
  cardCvc: Uint8Array;
  /** The session clock at the arrival of the card's last answer. */
  now: Date;
}

export interface EhcConfig {
  /** Deadline for the client's answer to each scenario (and for its Start), ms. */
  cardTimeBudgetMs: number;
  /** Frames above this many bytes end the session with 79511; above twice this ws cuts the socket (1009). */
  maxFrameBytes: number;
  /**
   * Production: upgrades are answered 404 unless `trust.fullTrustDecision` is set, so that no
   * card token is ever issued there on the development check alone.
   */
  production: boolean;
  /** Open card sessions one institution may hold at once (further upgrades: 503). Default 32. */
  maxSessionsPerActor?: number;
  /** Open card sessions in this instance (further upgrades: 503). Default 5,000. */
  maxSessions?: number;
  /** Our promise in `timeSpan`: ms between a ScenarioResponse and our next scenario. Default 2000. */
  timeSpanMs?: number;
  /** Language of `errorDetail`. Default German. */
  detailLanguage?: Lang;
  /** Accepted EF.Version2 object-system versions (hex). Default: gematik's G2.1 list. */
  objectSystemVersions?: readonly string[];
  /** EF.Version2 product identifications (C2, hex) refused with 79502. Default none. */
  blockedProducts?: readonly string[];
}

/** One line per session end and per refused upgrade: codes and ids only, never a KVNR or a token. */
export interface EhcLogEvent {
  event: 'ehc.upgrade-refused' | 'ehc.session-start' | 'ehc.session-end';
  sessionId?: string;
  status?: number;
  /** `token`, `client-closed`, or an EhcErrorCode. */
  outcome?: string;
  errorCode?: string;
  rounds?: number;
  ms?: number;
}

export interface EhcDeps {
  authenticate(req: IncomingMessage): Promise<EhcActor | null>;
  issueToken(input: EhcTokenInput): Promise<string>;
  trust: EhcTrust;
  config: EhcConfig;
  /** Milliseconds since the epoch. */
  now(): number;
  log?(e: EhcLogEvent): void;
  /** Brainpool/AES backend; default node:crypto. */
  crypto?: CardCrypto;
}
