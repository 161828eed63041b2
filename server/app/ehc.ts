/**
 * Wires the eGK check-in endpoint (server/popp/ehc) into the service: who may open a
 * card session (staff cookie from our own origin, or in development the headless
 * client's institution credential), how its token is issued (the one issuing function,
 * on a check-in record of flow `ehc`), which card trust applies (server/trust: TSL, OCSP,
 * hash DB) and the hash-database admin API.
 *
 * Development: gematik's TSL (signer pinned) and roots.json when the interop material is
 * there, with the offline OCSP policy for GEM.EGK-CA51 TEST-ONLY only; the project's test PKI
 * as a configured anchor whose cards are checked live against its OCSP responder, mounted on
 * this service under /dev/ocsp/. Production: everything from configuration (docs/trust.md),
 * no offline policy, no test material; without a configured TSL there is no eGK endpoint.
 */
import { createPrivateKey, timingSafeEqual } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { createCheckin } from '../checkin/records';
import { persistedJson } from '../keys/dev-secrets';
import { parseCookies } from '../identity/gesundheitsid';
import { resolveStaffSession, STAFF_COOKIE } from '../identity/staff-session';
import { DEV_INSTITUTION_HEADER } from '../popp/ehc/dev-credential';
import { testPkiOcspResponder } from '../popp/ehc/dev-ocsp';
import { anchorFromRootCvc, devEhcTrust, isTestPkiDir } from '../popp/ehc/dev-trust';
import type { EhcActor, EhcDeps, EhcTrust } from '../popp/ehc/deps';
import { createEhcEndpoint } from '../popp/ehc/endpoint';
import { importEcPrivateKey } from '../card/crypto-node';
import { issueTokenForCheckin } from '../popp/issuance';
import { audit } from '../store/audit';
import type { DB } from '../store/db';
import type { HashDbTables } from '../trust/hashdb/schema';
import { interopDir, interopPath } from '../testing/interop';
import type { ServiceIdentity, TestPki } from '../testpki/pki';
import { writeDevTrust } from '../testpki/write';
import type { TrustAuditEvent } from '../trust/decision';
import { DEFAULT_MAX_IMPORT_BYTES, importSignerPins, type ImportSignerPin } from '../trust/hashdb/cms';
import { HashDbImporter } from '../trust/hashdb/importer';
import type { OcspResponder } from '../trust/ocsp/responder';
import { createTrust, gematikTestTrustOptions, type Trust, type TrustSetupOptions } from '../trust/setup';
import { makeImportSigner } from '../trust/testing/cms-builder';
import type { Issued } from '../trust/testing/certs';
import { anchorFromDer, type AnchorSpec } from '../trust/tsl/anchors';
import type { TrustAlarm } from '../trust/tsl/trust-store';
import { TrustCert } from '../trust/x509/certificate';
import { randomToken } from '../util/crypto';
import { createHashDbRoutes, type HashDbRoutes } from './hashdb-routes';
import type { Services } from './services';

export const DEV_OCSP_PATH = '/dev/ocsp/';

export interface EhcWiring {
  endpoint: ReturnType<typeof createEhcEndpoint>;
  /** Development only: what `popp card-check` sends to act for the demo practice. */
  devCredential: string | null;
  testPkiDir: string | null;
  /** HTTP routes besides the WebSocket: the hash-DB admin API and, in development, the test PKI's OCSP responder. */
  handle(req: IncomingMessage, res: ServerResponse, pathname: string): Promise<boolean>;
  /** Development: the live OCSP responder of the test PKI (tests switch its mode). */
  devOcsp: OcspResponder | null;
  /** The trust decision in use (null when a custom EhcTrust was passed). */
  trust: Trust | null;
  hashDbImporter: HashDbImporter;
  close(): Promise<void>;
}

export interface EhcWiringOptions {
  /** A complete card trust of one's own (tests of the plumbing); skips the trust wiring. */
  trust?: EhcTrust;
  /** Where the trust and admin settings are read from; default process.env. */
  source?: Record<string, string | undefined>;
  /** Development: an in-memory test PKI instead of DATA_DIR/testpki (tests issue their own cards). */
  testPki?: TestPki & { service?: ServiceIdentity };
  /** Base URL at which this service reaches itself (dev OCSP responder); default http://HOST:PORT. */
  selfUrl?: string;
  /** OCSP deadline; default 1,100 ms (A_21340-01). */
  ocspTimeoutMs?: number;
  /** Include gematik's test material when present (default true). */
  gematik?: boolean;
}

/** Trust and admin settings that `Env` does not carry (they concern this wiring only). */
const settingsSchema = z.object({
  POPP_TSL_FILE: z.string().min(1).optional(),
  POPP_TSL_URL: z.string().url().optional(),
  /** Comma-separated PEM/DER files of the TSL signer CA(s). */
  POPP_TSL_SIGNER_CA_FILES: z.string().min(1).optional(),
  POPP_TI_ROOTS_FILE: z.string().min(1).optional(),
  /** Service CVC chain, top-down (sub-CA, end entity), comma-separated files. */
  EHC_SERVICE_CVC_FILES: z.string().min(1).optional(),
  EHC_SERVICE_KEY_FILE: z.string().min(1).optional(),
  /** Self-signed CVC root(s) the service trusts for cards, comma-separated. */
  EHC_CVC_ROOT_FILES: z.string().min(1).optional(),
  EHC_CVC_LINK_FILES: z.string().min(1).optional(),
  HASHDB_ADMIN_TOKEN: z.string().min(32).optional(),
  /** CA(s) of the hash-DB import signer (gematik's TSP eGK), comma-separated. */
  HASHDB_SIGNER_CA_FILES: z.string().min(1).optional(),
  /** Upload cap of the admin API (413 above); default 64 MiB, what the in-memory parser holds. */
  HASHDB_MAX_IMPORT_BYTES: z.coerce.number().int().min(1024).max(DEFAULT_MAX_IMPORT_BYTES).optional(),
});
type Settings = z.infer<typeof settingsSchema>;

/** The store holds the hash-DB tables (migration 0100_hashdb); Kysely's table map is invariant, hence the narrowing. */
const hashDbOf = (db: DB) => db as unknown as Kysely<HashDbTables>;
const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
const readBytes = (f: string) => new Uint8Array(readFileSync(f));

function readCert(file: string): TrustCert {
  const raw = readFileSync(file);
  const text = raw.toString('latin1');
  return text.includes('-----BEGIN') ? TrustCert.fromBase64(text.replace(/-----[^-]+-----/g, ''), path.basename(file)) : TrustCert.parse(raw, path.basename(file));
}

function readSettings(source: Record<string, string | undefined>): Settings {
  const picked: Record<string, string> = {};
  for (const k of Object.keys(settingsSchema.shape)) if (source[k]) picked[k] = source[k]!;
  const r = settingsSchema.safeParse(picked);
  if (!r.success) throw new Error(`Ungültige eGK-Vertrauenskonfiguration: ${r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  return r.data;
}

/** The address the service listens on, as a URL it can call itself (the dev OCSP responder). */
function selfUrl(host: string, port: number): string {
  const h = host === '0.0.0.0' || host === '' ? '127.0.0.1' : host === '::' ? '[::1]' : host.includes(':') ? `[${host}]` : host;
  return `http://${h}:${port}`;
}

/**
 * The project's hash-DB import signer for development (role oid_tsp-egk under a test CA), kept
 * in DATA_DIR/testpki/hashdb-signer so that import files for generated cards can be signed
 * (signer.pem + signer.prv.pem) and the service pins the same CA after a restart.
 */
export function devImportSigner(dir: string, now: Date): { ca: TrustCert; signer: Issued } {
  const d = path.join(dir, 'hashdb-signer');
  const files = { ca: path.join(d, 'ca.pem'), signer: path.join(d, 'signer.pem'), key: path.join(d, 'signer.prv.pem') };
  const pem = (c: TrustCert) => `-----BEGIN CERTIFICATE-----\n${Buffer.from(c.der).toString('base64')}\n-----END CERTIFICATE-----\n`;
  if (!existsSync(files.key)) {
    const made = makeImportSigner(now);
    mkdirSync(d, { recursive: true, mode: 0o700 });
    writeFileSync(files.ca, pem(made.ca.cert), { mode: 0o644 });
    writeFileSync(files.signer, pem(made.signer.cert), { mode: 0o644 });
    writeFileSync(files.key, made.signer.key.export({ format: 'pem', type: 'pkcs8' }).toString(), { mode: 0o600 });
  }
  return { ca: readCert(files.ca), signer: { cert: readCert(files.signer), key: createPrivateKey(readFileSync(files.key, 'utf8')) } };
}

interface TrustWiring {
  trust: EhcTrust;
  decision: Trust;
  testPkiDir: string | null;
  devOcsp: OcspResponder | null;
  pins: ImportSignerPin[];
  adminToken: string;
}

function trustAudit(services: Services): (e: TrustAuditEvent) => void {
  return (e) => {
    const detail =
      e.event === 'trust.refused'
        ? `code=${e.code} bde=${e.bde ?? '-'} serial=${e.serial ?? '-'}`
        : `ca=${e.caCommonName ?? e.caSha256} serial=${e.serial} reason=${e.reason}`;
    void audit(services.db, e.at.getTime(), e.event, { detail }).catch((err: Error) => console.error('[trust] Audit fehlgeschlagen:', err.message));
  };
}

function onAlarm(services: Services): (a: TrustAlarm) => void {
  return (a) => {
    console.error(`[trust] TSL-Alarm ${a.kind} ${a.code}: ${a.message}`);
    void audit(services.db, a.at.getTime(), `trust.alarm.${a.kind}`, { detail: `code=${a.code} kept=${a.kept?.sequenceNumber.toString() ?? '-'}` }).catch(() => undefined);
  };
}

async function developmentTrust(services: Services, settings: Settings, opts: EhcWiringOptions): Promise<TrustWiring> {
  const { env } = services;
  const now = () => new Date(services.now());
  const ocspUrl = `${opts.selfUrl ?? selfUrl(env.HOST, env.PORT)}${DEV_OCSP_PATH}`;
  let testPkiDir: string | null = null;
  let anchor: AnchorSpec;
  let devOcsp: OcspResponder;
  if (opts.testPki) {
    anchor = anchorFromDer(opts.testPki.egkCa.der, opts.testPki.x509Root.der, { ocspUrls: [ocspUrl] });
    devOcsp = testPkiOcspResponder({ pki: opts.testPki }, now);
  } else {
    testPkiDir = path.join(env.dataDir, 'testpki');
    const written = isTestPkiDir(testPkiDir) ? (JSON.parse(readFileSync(path.join(testPkiDir, 'trust.json'), 'utf8')) as { x509?: { ocspUrl?: string } }) : null;
    // Generated cards name the responder in their AIA: a test PKI made for another address is made anew.
    if (written?.x509?.ocspUrl !== ocspUrl) {
      if (written) console.log(`[ehc] Test-PKI in ${testPkiDir} wird neu erzeugt (OCSP-Adresse jetzt ${ocspUrl}).`);
      writeDevTrust(testPkiDir, { validCards: 3, ocspUrl });
    }
    anchor = anchorFromDer(readBytes(path.join(testPkiDir, 'x509', 'egk-ca.der')), readBytes(path.join(testPkiDir, 'x509', 'egk-root.der')), { ocspUrls: [ocspUrl] });
    devOcsp = testPkiOcspResponder({ dir: testPkiDir }, now);
  }

  const gematik = (opts.gematik ?? true) && existsSync(path.join(interopDir, 'cvc', 'DEGXX870222.crt'));
  const withTsl = gematik && existsSync(interopPath('tsl', 'TSL-valid-ECC-rise-cvc.xml'));
  const base: TrustSetupOptions = withTsl ? gematikTestTrustOptions('development') : { env: 'development' };
  const options: TrustSetupOptions = { ...base, ocsp: { timeoutMs: opts.ocspTimeoutMs ?? 1_100, hash: 'sha1', requireNonce: false } };
  const decision = await createTrust(options, { hashDb: hashDbOf(services.db), anchors: [anchor], now, audit: trustAudit(services), onAlarm: onAlarm(services) });
  for (const a of options.offlineOcsp ?? []) {
    // The exception to online status checks is on record from the moment it is in force.
    await audit(services.db, services.now(), 'trust.ocsp-offline-policy-configured', { detail: `ca=${a.caCommonName ?? a.caSha256} reason=${a.reason}` });
  }

  const dev = devEhcTrust(opts.testPki ? { gematik, testPki: opts.testPki } : { gematik, testPkiDir: testPkiDir! });
  const project = devImportSigner(testPkiDir ?? path.join(env.dataDir, 'testpki'), now()).ca;
  const komp = interopPath('x509', 'GEM.KOMP-CA61-TEST-ONLY.pem');
  const gematikPins = list(settings.HASHDB_SIGNER_CA_FILES).map(readCert);
  if (gematikPins.length === 0 && existsSync(komp)) gematikPins.push(readCert(komp));
  const adminToken =
    settings.HASHDB_ADMIN_TOKEN ?? persistedJson(path.join(env.dataDir, 'secrets'), 'hashdb-admin.json', () => ({ token: randomToken(32) })).token;
  return {
    trust: { ...dev, validateChAut: decision.decision.validateChAut, fullTrustDecision: true },
    decision,
    testPkiDir,
    devOcsp,
    pins: importSignerPins({ env: 'development', gematik: gematikPins, project: [project] }),
    adminToken,
  };
}

async function productionTrust(services: Services, s: Settings): Promise<TrustWiring | null> {
  if (!s.POPP_TSL_FILE && !s.POPP_TSL_URL) return null;
  const missing = (['POPP_TSL_SIGNER_CA_FILES', 'POPP_TI_ROOTS_FILE', 'EHC_SERVICE_CVC_FILES', 'EHC_SERVICE_KEY_FILE', 'EHC_CVC_ROOT_FILES', 'HASHDB_ADMIN_TOKEN', 'HASHDB_SIGNER_CA_FILES'] as const).filter(
    (k) => !s[k],
  );
  if (missing.length > 0) throw new Error(`eGK-Check-in in Produktion: es fehlt ${missing.join(', ')} (siehe docs/trust.md).`);
  const now = () => new Date(services.now());
  const decision = await createTrust(
    {
      env: 'production',
      tsl: { file: s.POPP_TSL_FILE, url: s.POPP_TSL_URL, signerCaFiles: list(s.POPP_TSL_SIGNER_CA_FILES) },
      rootsFile: s.POPP_TI_ROOTS_FILE,
    },
    { hashDb: hashDbOf(services.db), now, audit: trustAudit(services), onAlarm: onAlarm(services) },
  );
  const chain = list(s.EHC_SERVICE_CVC_FILES).map(readBytes);
  const trust: EhcTrust = {
    cvcRoots: list(s.EHC_CVC_ROOT_FILES).map((f) => anchorFromRootCvc(readBytes(f))),
    cvcLinks: list(s.EHC_CVC_LINK_FILES).map(readBytes),
    serviceCvcChain: chain,
    serviceKey: importEcPrivateKey(readFileSync(s.EHC_SERVICE_KEY_FILE!, 'utf8')).privateKey,
    validateChAut: decision.decision.validateChAut,
    fullTrustDecision: true,
  };
  return {
    trust,
    decision,
    testPkiDir: null,
    devOcsp: null,
    pins: importSignerPins({ env: 'production', gematik: list(s.HASHDB_SIGNER_CA_FILES).map(readCert) }),
    adminToken: s.HASHDB_ADMIN_TOKEN!,
  };
}

/** Null in production without a configured TSL: then the service has no eGK endpoint at all. */
export async function createEhcWiring(services: Services, opts: EhcWiringOptions = {}): Promise<EhcWiring | null> {
  const { env, db } = services;
  const settings = readSettings(opts.source ?? process.env);
  let wired: TrustWiring | null = null;
  let trust = opts.trust;
  if (!trust) {
    wired = env.production ? await productionTrust(services, settings) : await developmentTrust(services, settings, opts);
    if (!wired) return null;
    trust = wired.trust;
  }
  const devCredential = env.production
    ? null
    : persistedJson(path.join(env.dataDir, 'secrets'), 'dev-credential.json', () => ({ credential: randomToken(24) })).credential;

  async function actorFor(telematikId: string): Promise<{ practiceId: string; actor: EhcActor } | null> {
    const p = await db.selectFrom('practices').selectAll().where('telematik_id', '=', telematikId).executeTakeFirst();
    return p ? { practiceId: p.id, actor: { telematikId: p.telematik_id, professionOid: p.profession_oid, name: p.name } } : null;
  }

  async function authenticate(req: IncomingMessage): Promise<EhcActor | null> {
    // Browsers cannot set headers on a WebSocket handshake: the dashboard's socket rides on the
    // staff cookie, so a foreign page must not be able to open one (cross-site WebSocket hijacking).
    const origin = req.headers.origin;
    if (origin !== undefined && !env.allowedOrigins.includes(origin)) return null;
    const staff = await resolveStaffSession(db, parseCookies(req.headers.cookie)[STAFF_COOKIE], services.now());
    if (staff) return { telematikId: staff.telematikId, professionOid: staff.professionOid, name: staff.practiceName };
    const presented = req.headers[DEV_INSTITUTION_HEADER];
    if (devCredential && typeof presented === 'string' && presented.length === devCredential.length && timingSafeEqual(Buffer.from(presented), Buffer.from(devCredential))) {
      return (await actorFor(env.DEMO_PRACTICE_TELEMATIK_ID))?.actor ?? null;
    }
    return null;
  }

  const deps: EhcDeps = {
    authenticate,
    trust,
    config: { cardTimeBudgetMs: env.EHC_CARD_TIME_BUDGET_MS, maxFrameBytes: env.EHC_MAX_FRAME_BYTES, production: env.production },
    now: services.now,
    async issueToken(input) {
      const found = await actorFor(input.actor.telematikId);
      if (!found) throw new Error('unknown institution');
      const row = await createCheckin(services, { practiceId: found.practiceId, flow: 'ehc' });
      const { token } = await issueTokenForCheckin(services, row.id, {
        proofMethod: input.proofMethod,
        patientProofTime: input.patientProofTime,
        patientId: input.patientId,
        insurerId: input.insurerId,
        actorId: input.actor.telematikId,
        actorProfessionOid: input.actor.professionOid,
        displayName: input.holderName ?? null,
      });
      return token;
    },
    log(e) {
      if (e.event === 'ehc.session-end' && e.outcome !== 'token' && e.outcome !== 'token-undelivered') {
        void audit(db, services.now(), 'ehc.failed', { detail: `${e.errorCode ?? e.outcome ?? 'unknown'} session=${e.sessionId ?? '-'}` }).catch(() => undefined);
      }
      if (e.event !== 'ehc.session-start') console.log(`[ehc] ${e.event} ${e.sessionId ?? ''} ${e.outcome ?? e.status ?? ''} ${e.errorCode ?? ''}`.trim());
    },
  };

  const now = () => new Date(services.now());
  const maxBytes = settings.HASHDB_MAX_IMPORT_BYTES;
  const hashDbImporter = new HashDbImporter({ db: hashDbOf(db), pins: wired?.pins ?? [], now, maxBytes });
  const hashDb: HashDbRoutes | null = wired
    ? createHashDbRoutes({ importer: hashDbImporter, adminToken: wired.adminToken, maxBytes, now: services.now, log: (l) => console.log(l) })
    : null;
  const devOcsp = wired?.devOcsp ?? null;
  const endpoint = createEhcEndpoint(deps);

  return {
    endpoint,
    devCredential,
    testPkiDir: wired?.testPkiDir ?? null,
    devOcsp,
    trust: wired?.decision ?? null,
    hashDbImporter,
    async handle(req, res, pathname) {
      if (devOcsp && pathname.startsWith(DEV_OCSP_PATH)) {
        devOcsp.handler(req, res);
        return true;
      }
      return hashDb ? hashDb(req, res, pathname) : false;
    },
    async close() {
      wired?.decision.stop();
      await endpoint.close();
    },
  };
}
