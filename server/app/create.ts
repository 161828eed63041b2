/**
 * Builds the service from a checked environment: store, keys, identity, the test IdP
 * (development only) and the HTTP routes that live outside Next.js. Kept apart from
 * main.ts so tests can start the whole service in-process on a free port.
 */
import path from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { createHTTPHandler } from '@trpc/server/adapters/standalone';
import type { Env } from '../config/env';
import { createInProcessBus } from '../events/bus';
import { expireDue, purgeExpired } from '../checkin/records';
import { clientAddress, createRateLimiter } from '../util/rate-limit';
import { setSecurityHeaders } from '../util/security-headers';
import { loadDevSecrets, type PrivateJwk } from '../keys/dev-secrets';
import { GID_ENV, GID_SCOPE, type GidClientConfig } from '../identity/gesundheitsid';
import { handleParRoute } from '../identity/par-route';
import { createTestIdp } from '../idp/provider';
import { handleInteraction } from '../idp/interaction';
import { loadOrCreateKeyStore, type KeyStore } from '../popp/keys';
import { signPoppToken } from '../popp/token';
import { wellKnownRoutes } from '../popp/wellknown/handlers';
import { createVerifier, verifyHttpHandler, VERIFY_PATH } from '../verifier';
import { ensurePractice, setupLinkIfNoStaff } from '../practice/seed';
import { openStore, type DB } from '../store/db';
import { createContext } from '../trpc/init';
import { appRouter } from '../trpc/root';
import type { Services } from './services';
import { createEhcWiring } from './ehc';
import { EHC_PATH } from '../popp/ehc/endpoint';
import { createDevVirtualCard, DEV_VIRTUAL_CARD_PATH } from './dev-virtual-card';
import { readFileSync } from 'node:fs';

export interface App {
  services: Services;
  keys: KeyStore;
  /** Handles the request if it is one of ours (not Next.js); returns false otherwise. */
  handle(req: IncomingMessage, res: ServerResponse): Promise<boolean>;
  /** Takes WebSocket upgrades on our paths (the eGK endpoint); false for others. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): boolean;
  /** Development: the institution credential `popp card-check` presents (read from DATA_DIR by the CLI). */
  devCredential: string | null;
  /** One-time link to enrol the first staff passkey, when the practice has none yet. */
  setupLink: string | null;
  close(): Promise<void>;
}

export async function createApp(env: Env, opts: { now?: () => number } = {}): Promise<App> {
  const now = opts.now ?? Date.now;
  const db: DB = await openStore({ dataDir: env.dataDir, databaseUrl: env.DATABASE_URL });
  const bus = createInProcessBus();
  const keys = await loadOrCreateKeyStore({
    dir: path.join(env.dataDir, 'keys'),
    production: env.production,
    issuer: env.issuer,
    productionKeys: env.production
      ? { signingKeyFile: env.POPP_TOKEN_KEY_FILE!, signingCertChainFile: env.POPP_TOKEN_CERT_CHAIN_FILE!, entityKeyFile: env.POPP_ENTITY_KEY_FILE! }
      : undefined,
    now: () => Math.floor(now() / 1000),
  });
  // The service verifies its own tokens for Fachdienste that call POST /api/v1/verify; it trusts its own CA only.
  const verifyCa = env.POPP_VERIFY_CA_FILE ? readFileSync(env.POPP_VERIFY_CA_FILE, 'utf8') : keys.devCaPem;
  const verifier = verifyCa ? createVerifier({ issuers: [{ iss: env.issuer, trustAnchors: [verifyCa] }], now: () => Math.floor(now() / 1000) }) : null;
  // No `epa` here: on a public endpoint its single-use marker would let anyone spend a token before the ePA does.
  const verifyHandler = verifier ? verifyHttpHandler(verifier, { profiles: ['basic', 'erezept', 'vsdm'] }) : null;

  const { nextAuthSecret, rpEncryptionJwk } = identitySecrets(env);
  const rpClientId = env.PUBLIC_URL;
  const redirectUri = `${env.PUBLIC_URL}/api/auth/callback/gesundheitsid`;
  const idp = env.TEST_IDP && !env.production
    ? await createTestIdp({ issuer: env.oidcIssuer, dataDir: env.dataDir, client: { clientId: rpClientId, redirectUris: [redirectUri], encryptionJwk: rpEncryptionJwk } })
    : null;
  const oidc = idp
    ? { par: `${env.oidcIssuer}/request`, authorization: `${env.oidcIssuer}/auth`, token: `${env.oidcIssuer}/token`, jwks: `${env.oidcIssuer}/jwks` }
    : await discover(env.oidcIssuer);

  const gid: GidClientConfig = {
    issuer: env.oidcIssuer,
    clientId: rpClientId,
    tokenEndpoint: oidc.token,
    jwksUri: oidc.jwks,
    parRoute: `${env.PUBLIC_URL}/api/gid/par`,
    requiredAcr: env.OIDC_REQUIRED_ACR,
    encryptionJwk: rpEncryptionJwk,
    secret: nextAuthSecret,
  };
  // Next.js runs in this same process; this is how its next-auth route learns the client set-up.
  process.env[GID_ENV] = JSON.stringify(gid);
  process.env.NEXTAUTH_URL = env.PUBLIC_URL;
  process.env.NEXTAUTH_SECRET = nextAuthSecret;

  const services: Services = {
    env,
    db,
    bus,
    now,
    sign: (input) => signPoppToken(input, { issuer: env.issuer, key: keys.current(), now: () => Math.floor(now() / 1000) }),
    passkeys: { rpName: 'PoPP Praxis', rpId: new URL(env.PUBLIC_URL).hostname, origins: env.allowedOrigins },
    limitClient: (req) => loginLimiter.take(clientAddress(req, env.TRUST_PROXY)),
    consent: { publicUrl: env.PUBLIC_URL, codeTtlSeconds: env.CONSENT_CODE_TTL_SECONDS, codeBytes: env.CONSENT_CODE_BYTES, requiredAcr: env.OIDC_REQUIRED_ACR },
    gidSecret: nextAuthSecret,
  };

  // Card sessions and the hash-DB admin API; in production only with the trust decisions configured (docs/trust.md).
  const ehc = await createEhcWiring(services);
  const devCard = ehc?.testPkiDir ? createDevVirtualCard(services, ehc.testPkiDir) : null;

  let setupLink: string | null = null;
  if (!env.production) {
    const practiceId = await ensurePractice(db, { name: env.DEMO_PRACTICE_NAME, telematikId: env.DEMO_PRACTICE_TELEMATIK_ID, professionOid: env.DEMO_PRACTICE_PROFESSION_OID }, now());
    setupLink = await setupLinkIfNoStaff(db, practiceId, env.PUBLIC_URL, now(), env.SETUP_LINK_HOURS);
  }

  const trpc = createHTTPHandler({
    router: appRouter,
    basePath: '/api/trpc/',
    createContext: ({ req, res }) => createContext(services, req, res),
    maxBodySize: 64 * 1024,
    // The dashboard batches a handful of calls at most; long batches only serve floods.
    maxBatchSize: 10,
  });
  // Per client address: logins started and passkey ceremonies; per code: logins started for it.
  const loginLimiter = createRateLimiter(30, 60_000);
  const codeLimiter = createRateLimiter(10, 60_000);
  const idpCallback = idp?.callback();
  const known = wellKnownRoutes(keys, env.issuer, env.DEMO_PRACTICE_NAME);

  let sweeps = 0;
  const sweeper = setInterval(() => {
    expireDue(services)
      .then(() => (++sweeps % 30 === 0 ? purgeExpired(services, env.CHECKIN_RETENTION_HOURS * 3600_000) : undefined))
      .catch((e) => console.error('[checkin] Ablauf-Prüfung fehlgeschlagen:', (e as Error).message));
  }, 2000);
  sweeper.unref();

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<boolean> {
    const url = new URL(req.url ?? '/', env.PUBLIC_URL);
    const p = url.pathname;
    setSecurityHeaders(res, env.production);
    if (p.startsWith('/api/')) res.setHeader('cache-control', 'no-store');
    if (p.startsWith('/api/trpc/')) {
      trpc(req, res);
      return true;
    }
    if (p === '/api/gid/par' && req.method === 'GET') {
      const client = clientAddress(req, env.TRUST_PROXY);
      await handleParRoute(
        {
          ...services,
          expected: { clientId: rpClientId, redirectUri, scope: GID_SCOPE, acrValues: env.OIDC_REQUIRED_ACR },
          limitClient: () => loginLimiter.take(client),
          limitCode: (code) => codeLimiter.take(code),
          parEndpoint: oidc.par,
          authorizationEndpoint: oidc.authorization,
          publicUrl: env.PUBLIC_URL,
        },
        req,
        res,
        url,
      );
      return true;
    }
    if (idp && idpCallback && (p === '/idp' || p.startsWith('/idp/'))) {
      if (await handleInteraction(idp, req, res, p)) return true;
      (req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url;
      req.url = (req.url ?? '/').slice('/idp'.length) || '/';
      idpCallback(req, res);
      return true;
    }
    if (p === VERIFY_PATH && verifyHandler) {
      verifyHandler(req, res);
      return true;
    }
    const route = known.find((r) => r.method === req.method && r.path === p);
    if (route) {
      const out = await route.handle();
      res.writeHead(out.status, out.headers).end(out.body);
      return true;
    }
    if (ehc && (await ehc.handle(req, res, p))) return true;
    if (p === '/healthz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok' }));
      return true;
    }
    return false;
  }

  return {
    services,
    keys,
    handle,
    upgrade(req, socket, head) {
      if (devCard && new URL(req.url ?? '/', env.PUBLIC_URL).pathname === DEV_VIRTUAL_CARD_PATH) return devCard.handleUpgrade(req, socket, head), true;
      if (!ehc || new URL(req.url ?? '/', env.PUBLIC_URL).pathname !== EHC_PATH) return false;
      ehc.endpoint.handleUpgrade(req, socket, head);
      return true;
    },
    devCredential: ehc?.devCredential ?? null,
    setupLink,
    async close() {
      clearInterval(sweeper);
      await ehc?.close();
      await devCard?.close();
      await db.destroy();
    },
  };
}

function identitySecrets(env: Env): { nextAuthSecret: string; rpEncryptionJwk: PrivateJwk } {
  if (!env.production) {
    const dev = loadDevSecrets(env.dataDir);
    return { nextAuthSecret: env.NEXTAUTH_SECRET ?? dev.nextAuthSecret, rpEncryptionJwk: dev.rpEncryptionJwk };
  }
  const file = process.env.GID_ENCRYPTION_JWK_FILE;
  if (!file) throw new Error('In Produktion ist GID_ENCRYPTION_JWK_FILE (privater ECDH-ES-Schlüssel als JWK) Pflicht.');
  return { nextAuthSecret: env.NEXTAUTH_SECRET!, rpEncryptionJwk: JSON.parse(readFileSync(file, 'utf8')) as PrivateJwk };
}

async function discover(issuer: string) {
  const r = await fetch(`${issuer}/.well-known/openid-configuration`, { signal: AbortSignal.timeout(5000) });
  if (!r.ok) throw new Error(`OIDC-Discovery bei ${issuer} fehlgeschlagen (${r.status})`);
  const m = (await r.json()) as Record<string, string>;
  const need = ['pushed_authorization_request_endpoint', 'authorization_endpoint', 'token_endpoint', 'jwks_uri'];
  for (const k of need) if (typeof m[k] !== 'string') throw new Error(`OIDC-Metadaten von ${issuer}: ${k} fehlt`);
  return { par: m.pushed_authorization_request_endpoint, authorization: m.authorization_endpoint, token: m.token_endpoint, jwks: m.jwks_uri };
}
