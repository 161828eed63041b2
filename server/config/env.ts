import path from 'node:path';
import { z } from 'zod';
import { defaults } from './defaults';

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const urlNoSlash = z
  .string()
  .url()
  .transform((u) => u.replace(/\/+$/, ''));

const base = z.object({
    HOST: z.string().min(1).default(defaults.HOST),
    PORT: z.coerce.number().int().min(1).max(65535).default(defaults.PORT),
    PUBLIC_URL: urlNoSlash.optional(),
    DATA_DIR: z.string().min(1).default(defaults.DATA_DIR),
    DATABASE_URL: z.string().default(defaults.DATABASE_URL),
    POPP_ENV: z.enum(['development', 'production']).default(defaults.POPP_ENV),
    CONSENT_CODE_TTL_SECONDS: z.coerce.number().int().min(10).max(3600).default(defaults.CONSENT_CODE_TTL_SECONDS),
    CONSENT_CODE_BYTES: z.coerce.number().int().min(16).max(32).default(defaults.CONSENT_CODE_BYTES),
    STAFF_SESSION_HOURS: z.coerce.number().min(0.1).max(24 * 7).default(defaults.STAFF_SESSION_HOURS),
    SETUP_LINK_HOURS: z.coerce.number().min(0.1).max(24 * 14).default(defaults.SETUP_LINK_HOURS),
    TEST_IDP: bool.default(defaults.TEST_IDP),
    OIDC_ISSUER: z.union([z.literal(''), urlNoSlash]).default(defaults.OIDC_ISSUER),
    OIDC_REQUIRED_ACR: z.string().min(1).default(defaults.OIDC_REQUIRED_ACR),
    NEXTAUTH_SECRET: z.string().min(32).optional(),
    DEMO_PRACTICE_NAME: z.string().min(1).default(defaults.DEMO_PRACTICE_NAME),
    DEMO_PRACTICE_TELEMATIK_ID: z.string().regex(/^[0-9]-[A-Za-z0-9.\-]{1,126}$/).default(defaults.DEMO_PRACTICE_TELEMATIK_ID),
    DEMO_PRACTICE_PROFESSION_OID: z.string().regex(/^[0-2](\.[0-9]+)+$/).default(defaults.DEMO_PRACTICE_PROFESSION_OID),
    EHC_CARD_TIME_BUDGET_MS: z.coerce.number().int().min(500).max(120_000).default(defaults.EHC_CARD_TIME_BUDGET_MS),
    EHC_MAX_FRAME_BYTES: z.coerce.number().int().min(1024).max(1 << 20).default(defaults.EHC_MAX_FRAME_BYTES),
    ALLOWED_ORIGINS: z.string().default(defaults.ALLOWED_ORIGINS),
    DEFAULT_LANG: z.enum(['de', 'en']).default(defaults.DEFAULT_LANG),
    /** Hours after which a finished check-in loses its token and name (record and state stay). */
    CHECKIN_RETENTION_HOURS: z.coerce.number().min(1).max(24 * 366).default(defaults.CHECKIN_RETENTION_HOURS),
    /** Take the client address from X-Forwarded-For (only behind a reverse proxy that sets it). */
    TRUST_PROXY: bool.default(false),
    POPP_TOKEN_KEY_FILE: z.string().optional(),
    POPP_TOKEN_CERT_CHAIN_FILE: z.string().optional(),
    POPP_ENTITY_KEY_FILE: z.string().optional(),
    POPP_VERIFY_CA_FILE: z.string().optional(),
});

const schema = base
  .transform((e) => {
    const port = e.PORT;
    const publicUrl = e.PUBLIC_URL ?? `http://localhost:${port}`;
    const production = e.POPP_ENV === 'production';
    const dataDir = path.resolve(e.DATA_DIR);
    return {
      ...e,
      PUBLIC_URL: publicUrl,
      production,
      dataDir,
      publicOrigin: new URL(publicUrl).origin,
      allowedOrigins: [new URL(publicUrl).origin, ...e.ALLOWED_ORIGINS.split(',').map((s) => s.trim()).filter(Boolean)],
      /** The token's `iss`: the service URL without path and without trailing slash. */
      issuer: new URL(publicUrl).origin,
      oidcIssuer: e.OIDC_ISSUER || `${publicUrl}/idp`,
    };
  })
  .superRefine((e, ctx) => {
    if (!e.production) return;
    if (e.TEST_IDP) ctx.addIssue({ code: 'custom', path: ['TEST_IDP'], message: 'Die Test-GesundheitsID ist in Produktion nicht erlaubt (TEST_IDP=false setzen).' });
    if (!e.OIDC_ISSUER) ctx.addIssue({ code: 'custom', path: ['OIDC_ISSUER'], message: 'In Produktion muss OIDC_ISSUER auf den sektoralen IdP zeigen.' });
    if (!e.NEXTAUTH_SECRET) ctx.addIssue({ code: 'custom', path: ['NEXTAUTH_SECRET'], message: 'In Produktion ist NEXTAUTH_SECRET (≥ 32 Zeichen) Pflicht.' });
    for (const k of ['POPP_TOKEN_KEY_FILE', 'POPP_TOKEN_CERT_CHAIN_FILE', 'POPP_ENTITY_KEY_FILE'] as const) {
      if (!e[k]) ctx.addIssue({ code: 'custom', path: [k], message: 'In Produktion Pflicht: PEM-Datei des Token- bzw. Entity-Schlüssels und der Zertifikatskette.' });
    }
    if (!e.PUBLIC_URL.startsWith('https://')) ctx.addIssue({ code: 'custom', path: ['PUBLIC_URL'], message: 'In Produktion muss PUBLIC_URL https:// sein.' });
  });

export type Env = z.output<typeof schema>;

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\./.test(h);
}

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Ungültige Konfiguration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and checks the environment. Throws ConfigError listing every problem at once. */
export function loadEnv(source: Record<string, string | undefined> = process.env): Env {
  const picked: Record<string, string> = {};
  for (const key of Object.keys(base.shape)) {
    const v = source[key];
    if (v !== undefined && v !== '') picked[key] = v;
  }
  const r = schema.safeParse(picked);
  if (!r.success) throw new ConfigError(r.error.issues.map((i) => `${i.path.join('.') || '(env)'}: ${i.message}`));
  // Development mode means a test IdP anyone can log in at and test keys: reachable from
  // elsewhere only when someone said so, never by forgetting POPP_ENV on a server.
  if (!r.data.production && picked.POPP_ENV === undefined && (!isLoopback(r.data.HOST) || !isLoopback(new URL(r.data.PUBLIC_URL).hostname))) {
    throw new ConfigError([
      'POPP_ENV: nicht gesetzt, aber HOST/PUBLIC_URL sind nicht localhost. Für einen echten Betrieb POPP_ENV=production setzen; zum Testen von anderen Geräten ausdrücklich POPP_ENV=development.',
    ]);
  }
  return r.data;
}
