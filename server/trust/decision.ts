/**
 * The trust decision the eGK service asks for before it issues a token: is this card's
 * C.CH.AUT genuine, current and not revoked, and is its pair with the card's CVC not blocked?
 * Order: path (offline, cheapest, and nothing unverified reaches the network or the database),
 * OCSP, then the hash database — which stores pairs, so only verified certificates get there.
 * Every refusal is a TrustError whose `bde` is the code for the WebSocket Error message.
 */
import { createHash } from 'node:crypto';
import type { PoppEnv } from './env';
import { TrustError, isTrustError } from './errors';
import type { HashDbRepository } from './hashdb/repository';
import type { OcspChecker } from './ocsp/checker';
import { OfflineOcspPolicy, type OfflineOcspAnchor, type OfflineOcspUse } from './ocsp/offline-policy';
import type { TrustView } from './tsl/snapshot';
import { TrustCert } from './x509/certificate';
import { validateChAutPath } from './x509/path';

export interface TrustRefusal {
  event: 'trust.refused';
  at: Date;
  code: TrustError['code'];
  bde: number | null;
  /** Serial of the certificate, when it could be read. Never the subject (it holds the KVNR). */
  serial?: string;
}

export type TrustAuditEvent = OfflineOcspUse | TrustRefusal;

export interface TrustDecisionConfig {
  env: PoppEnv;
  /** The TSL in use (a TrustStore, a TSL combined with configured anchors, or a fixed snapshot in tests). */
  trustStore: { current(now?: Date): TrustView };
  ocsp: OcspChecker;
  /** Trust anchors whose certificates skip OCSP: gematik test material only, never in production. */
  offlineOcsp?: OfflineOcspAnchor[];
  /** The eGK hash database; required in production. */
  hashDb: HashDbRepository | null;
  audit?: (event: TrustAuditEvent) => void;
}

export interface TrustContext {
  /** The card's end-entity CVC (EF.C.eGK.AUT_CVC.E256) exactly as read: hashCvc = SHA-256 of these bytes. */
  cardCvc: Uint8Array;
  now: Date;
  /** Contact (trusted channel, default) or contactless (CVC-authenticated) reading. */
  interface?: 'contact' | 'contactless';
}

export interface TrustResult {
  certificate: { serial: string; issuer: string | undefined; notAfter: Date; sha256: string };
  ca: { name: string | undefined; sha256: string };
  root: { name: string };
  ocsp:
    | { source: 'live' | 'cache'; status: 'good'; url: string; producedAt: Date; nextUpdate?: Date; responder: string | undefined }
    | { source: 'offline-policy'; status: 'not-checked'; reason: string };
  hashDb: 'match' | 'ad-hoc' | 'not-configured';
  /** The pair as stored in the hash database (hex SHA-256). */
  hashAut: string;
  hashCvc: string;
  tsl: { sequenceNumber: string; nextUpdate: Date };
}

export interface TrustDecision {
  validateChAut(der: Uint8Array, ctx: TrustContext): Promise<TrustResult>;
}

const sha256hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

export function createTrustDecision(config: TrustDecisionConfig): TrustDecision {
  if (config.env === 'production' && !config.hashDb) throw new TrustError('CONFIG_INVALID', 'In Produktion ist die eGK-Hash-Datenbank Pflicht');
  const offline = new OfflineOcspPolicy(config.offlineOcsp ?? [], config.env);

  async function decide(der: Uint8Array, ctx: TrustContext): Promise<TrustResult> {
    if (ctx.cardCvc.length === 0) throw new TrustError('CERT_MALFORMED', 'CVC der eGK fehlt');
    const snapshot = config.trustStore.current(ctx.now);
    const { chAut, ca, root } = validateChAutPath(der, snapshot, { now: ctx.now });

    let ocsp: TrustResult['ocsp'];
    if (offline.applies(ca.cert, chAut, ctx.now, (use) => config.audit?.(use))) {
      ocsp = { source: 'offline-policy', status: 'not-checked', reason: offline.find(ca.cert)!.reason };
    } else {
      const out = await config.ocsp.check({ cert: chAut, ca, now: ctx.now, tslResponders: snapshot.ocspResponders });
      ocsp = { source: out.source, status: 'good', url: out.url, producedAt: out.producedAt, nextUpdate: out.nextUpdate, responder: out.responder.cn };
    }

    const pair = { hashAut: sha256hex(chAut.der), hashCvc: sha256hex(ctx.cardCvc) };
    let hashDb: TrustResult['hashDb'] = 'not-configured';
    if (config.hashDb) {
      hashDb =
        ctx.interface === 'contactless'
          ? await config.hashDb.contactlessCheck(pair)
          : await config.hashDb.contactCheck({ ...pair, notAfter: chAut.notAfter }, ctx.now);
    }

    return {
      certificate: { serial: chAut.serialHex, issuer: chAut.issuerCn, notAfter: chAut.notAfter, sha256: chAut.fingerprint256 },
      ca: { name: ca.cert.subjectCn, sha256: ca.cert.fingerprint256 },
      root: { name: root.cn },
      ocsp,
      hashDb,
      ...pair,
      tsl: { sequenceNumber: snapshot.info.sequenceNumber.toString(), nextUpdate: snapshot.info.nextUpdate },
    };
  }

  return {
    async validateChAut(der, ctx) {
      try {
        return await decide(der, ctx);
      } catch (e) {
        const error = isTrustError(e) ? e : new TrustError('INTERNAL', `Vertrauensprüfung fehlgeschlagen: ${(e as Error).message}`, { cause: e });
        let serial: string | undefined;
        try {
          serial = TrustCert.parse(der).serialHex;
        } catch {
          serial = undefined;
        }
        config.audit?.({ event: 'trust.refused', at: ctx.now, code: error.code, bde: error.bde, serial });
        throw error;
      }
    },
  };
}
