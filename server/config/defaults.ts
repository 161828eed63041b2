/**
 * Every default of the service in one place, each with the reason for its value.
 * `env.ts` reads the environment once at start, checks it with zod and falls back
 * to these. The README's configuration table is written from this file.
 */
export const defaults = {
  /** Loopback only: the service is reached through `PUBLIC_URL` (a reverse proxy or port forward in real use). */
  HOST: 'localhost',
  PORT: 3000,
  /**
   * Base URL for links, QR codes and the token's `iss`. A phone cannot reach `localhost`:
   * set it to an address the phone can open (e.g. https://praxis.example.de) outside development.
   */
  PUBLIC_URL: 'http://localhost:3000',
  /** Where the SQLite database, keys and generated test material live (created on first start). */
  DATA_DIR: './data',
  /** SQLite file inside DATA_DIR unless DATABASE_URL names a PostgreSQL server (postgres://…). */
  DATABASE_URL: '',
  /** `development` or `production`; production refuses development keys, credentials and the test IdP. Not NODE_ENV. */
  POPP_ENV: 'development' as 'development' | 'production',
  /** Lifetime of a consent code: gematik leaves it open; 5 minutes keeps a photographed QR useless soon after. */
  CONSENT_CODE_TTL_SECONDS: 300,
  /** Bytes of randomness in a consent code (16 = 128 bit, the minimum the issue demands; 18 gives 24 base64url characters). */
  CONSENT_CODE_BYTES: 18,
  /** Staff session lifetime: one working day, as the TI's own LEI logins (spec-VSDM2: once per day). */
  STAFF_SESSION_HOURS: 12,
  /** How long a one-time staff setup link stays valid. */
  SETUP_LINK_HOURS: 24,
  /** Embedded test GesundheitsID (oidc-provider) under /idp; refused in production. */
  TEST_IDP: true,
  /** Issuer of the GesundheitsID. Empty = the embedded test IdP at PUBLIC_URL/idp. */
  OIDC_ISSUER: '',
  /** acr the insured person's login must reach (gemSpec_IDP_Sek: loa-high for access to health data). */
  OIDC_REQUIRED_ACR: 'gematik-ehealth-loa-high',
  /** Name of the demo practice seeded on first start (development only). */
  DEMO_PRACTICE_NAME: 'Hausarztpraxis Dr. Demo (Testumgebung)',
  /** Telematik-ID of the demo practice (from gematik's ZETA test allow-list). */
  DEMO_PRACTICE_TELEMATIK_ID: '1-20014060625',
  /** Profession OID of the demo practice: Betriebsstätte Arzt (gemSpec_OID). */
  DEMO_PRACTICE_PROFESSION_OID: '1.2.276.0.76.4.50',
  /** Card-time budget per eGK scenario: what the client may take to answer one scenario. */
  EHC_CARD_TIME_BUDGET_MS: 10_000,
  /** Largest WebSocket frame accepted on the eGK endpoint (issue 5). */
  EHC_MAX_FRAME_BYTES: 65_536,
  /**
   * After this many hours a finished check-in keeps its state for the audit trail but loses
   * token and name: the dashboard shows today's work, and VSDM reuses a token at most for the
   * quarter, which the primary system stores, not us. 48 h matches gematik's pending window.
   */
  CHECKIN_RETENTION_HOURS: 48,
  /** Extra origins allowed to call state-changing routes (comma separated); PUBLIC_URL's origin is always allowed. */
  ALLOWED_ORIGINS: '',
  /** UI language default. */
  DEFAULT_LANG: 'de' as 'de' | 'en',
} as const;

export type Defaults = typeof defaults;
