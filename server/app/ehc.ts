/**
 * Wires the eGK check-in endpoint (server/popp/ehc) into the service: who may open a
 * card session (staff cookie from our own origin, or in development the headless
 * client's institution credential), how its token is issued (the one issuing function,
 * on a check-in record of flow `ehc`), and which card trust applies.
 */
import { existsSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import path from 'node:path';
import { timingSafeEqual } from 'node:crypto';
import { createCheckin } from '../checkin/records';
import { persistedJson } from '../keys/dev-secrets';
import { parseCookies } from '../identity/gesundheitsid';
import { resolveStaffSession, STAFF_COOKIE } from '../identity/staff-session';
import { DEV_INSTITUTION_HEADER } from '../popp/ehc/dev-credential';
import { devEhcTrust, isTestPkiDir } from '../popp/ehc/dev-trust';
import type { EhcActor, EhcDeps, EhcTrust } from '../popp/ehc/deps';
import { createEhcEndpoint } from '../popp/ehc/endpoint';
import { issueTokenForCheckin } from '../popp/issuance';
import { audit } from '../store/audit';
import { interopDir } from '../testing/interop';
import { writeDevTrust } from '../testpki/write';
import { randomToken } from '../util/crypto';
import type { Services } from './services';

export interface EhcWiring {
  endpoint: ReturnType<typeof createEhcEndpoint>;
  /** Development only: what `popp card-check` sends to act for the demo practice. */
  devCredential: string | null;
  testPkiDir: string | null;
}

/** Development card trust: gematik's test material (when present) plus the project's own test PKI. */
export function developmentTrust(dataDir: string): { trust: EhcTrust; testPkiDir: string } {
  const testPkiDir = path.join(dataDir, 'testpki');
  if (!isTestPkiDir(testPkiDir)) writeDevTrust(testPkiDir, { validCards: 3 });
  const gematik = existsSync(path.join(interopDir, 'cvc', 'DEGXX870222.crt'));
  return { trust: devEhcTrust({ testPkiDir, gematik }), testPkiDir };
}

export function createEhcWiring(services: Services, opts: { trust?: EhcTrust } = {}): EhcWiring {
  const { env, db } = services;
  let trust = opts.trust;
  let testPkiDir: string | null = null;
  if (!trust) {
    if (env.production) throw new Error('eGK-Check-in in Produktion braucht eine konfigurierte Kartenvertrauensbasis.');
    ({ trust, testPkiDir } = developmentTrust(env.dataDir));
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
      });
      return token;
    },
    log(e) {
      if (e.event === 'ehc.session-end' && e.outcome !== 'token') {
        void audit(db, services.now(), 'ehc.failed', { detail: `${e.errorCode ?? e.outcome ?? 'unknown'} session=${e.sessionId ?? '-'}` }).catch(() => undefined);
      }
      if (e.event !== 'ehc.session-start') console.log(`[ehc] ${e.event} ${e.sessionId ?? ''} ${e.outcome ?? e.status ?? ''} ${e.errorCode ?? ''}`.trim());
    },
  };
  return { endpoint: createEhcEndpoint(deps), devCredential, testPkiDir };
}
