/**
 * Wiring from configuration to a ready trust decision: TSL source and signer pin, TI roots,
 * OCSP settings, offline policy, hash database. The options are checked with zod here, at
 * the boundary; everything below trusts its typed inputs. `gematikTestTrustOptions` fills in
 * gematik's test material for development, so the sample card validates end to end.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { interopPath } from '../testing/interop';
import { createTrustDecision, type TrustAuditEvent, type TrustDecision } from './decision';
import { TrustError } from './errors';
import { HashDbRepository } from './hashdb/repository';
import type { HashDbTables } from './hashdb/schema';
import { OcspChecker } from './ocsp/checker';
import { parseRootsJson } from './tsl/roots';
import type { TslSignerPin } from './tsl/load';
import { TrustStore, type TrustAlarm } from './tsl/trust-store';
import { ConfiguredAnchors, combineTrust, type AnchorSpec } from './tsl/anchors';
import { TrustCert } from './x509/certificate';

const optionsSchema = z
  .object({
    env: z.enum(['production', 'development', 'test']),
    tsl: z
      .object({
        file: z.string().min(1).optional(),
        url: z.string().url().optional(),
        /** Test: SHA-256 of the signer certificate itself. */
        signerSha256: z.array(z.string().regex(/^[0-9a-fA-F]{64}$/)).default([]),
        /** Production: certificate files of the TSL signer CA(s). */
        signerCaFiles: z.array(z.string().min(1)).default([]),
        reloadEveryMs: z.number().int().min(60_000).default(3_600_000),
      })
      .refine((t) => (t.file ? 1 : 0) + (t.url ? 1 : 0) === 1, 'genau eines von tsl.file oder tsl.url angeben')
      .refine((t) => t.signerSha256.length + t.signerCaFiles.length > 0, 'TSL-Signer festlegen (signerSha256 oder signerCaFiles)')
      .optional(),
    rootsFile: z.string().min(1).optional(),
    ocsp: z
      .object({
        timeoutMs: z.number().int().min(50).max(30_000).default(1_100),
        hash: z.enum(['sha1', 'sha256']).default('sha1'),
        requireNonce: z.boolean().default(false),
      })
      .default({ timeoutMs: 1_100, hash: 'sha1', requireNonce: false }),
    offlineOcsp: z.array(z.object({ caCommonName: z.string().optional(), caSha256: z.string().optional(), reason: z.string() })).default([]),
  })
  .superRefine((o, ctx) => {
    if (o.tsl && !o.rootsFile) ctx.addIssue({ code: 'custom', path: ['rootsFile'], message: 'Zur TSL gehört roots.json (rootsFile)' });
    if (o.env === 'production' && !o.tsl) ctx.addIssue({ code: 'custom', path: ['tsl'], message: 'In Produktion ist die TSL Pflicht' });
    if (o.env === 'production' && o.tsl && o.tsl.signerSha256.length > 0) {
      ctx.addIssue({ code: 'custom', path: ['tsl', 'signerSha256'], message: 'In Produktion wird die TSL-CA gepinnt, nicht ein Signer-Zertifikat' });
    }
  });

export type TrustSetupOptions = z.input<typeof optionsSchema>;

export interface TrustSetupDeps {
  hashDb: Kysely<HashDbTables> | null;
  /** CAs trusted besides the TSL (development: the project's test PKI); refused in production. */
  anchors?: AnchorSpec[];
  now?: () => Date;
  audit?: (e: TrustAuditEvent) => void;
  onAlarm?: (a: TrustAlarm) => void;
}

function readCertFile(file: string): TrustCert {
  const raw = readFileSync(file);
  const text = raw.toString('latin1');
  return text.includes('-----BEGIN') ? TrustCert.fromBase64(text.replace(/-----[^-]+-----/g, ''), file) : TrustCert.parse(raw, file);
}

export interface Trust {
  /** The TSL store, or null when only configured anchors are trusted (development without gematik material). */
  store: TrustStore | null;
  ocsp: OcspChecker;
  decision: TrustDecision;
  /** Stops the TSL reload timer. */
  stop(): void;
}

export async function createTrust(options: TrustSetupOptions, deps: TrustSetupDeps): Promise<Trust> {
  const parsed = optionsSchema.safeParse(options);
  if (!parsed.success) {
    const i = parsed.error.issues[0];
    throw new TrustError('CONFIG_INVALID', `Trust-Konfiguration ungültig (${i?.path.join('.') ?? ''}): ${i?.message ?? ''}`);
  }
  const o = parsed.data;
  const now = deps.now ?? (() => new Date());
  const anchors = deps.anchors?.length ? new ConfiguredAnchors(deps.anchors, o.env) : null;
  let store: TrustStore | null = null;
  if (o.tsl) {
    const tsl = o.tsl;
    const pin: TslSignerPin = tsl.signerCaFiles.length > 0 ? { kind: 'ca', cas: tsl.signerCaFiles.map(readCertFile) } : { kind: 'certificate', sha256: tsl.signerSha256 };
    const fetchTsl = tsl.file
      ? async () => readFileSync(tsl.file!)
      : async () => {
          const res = await fetch(tsl.url!, { signal: AbortSignal.timeout(30_000) });
          if (!res.ok) throw new Error(`HTTP ${res.status}`);
          return new Uint8Array(await res.arrayBuffer());
        };
    store = new TrustStore({
      fetchTsl,
      pin,
      roots: parseRootsJson(readFileSync(o.rootsFile!, 'utf8')),
      now,
      reloadEveryMs: tsl.reloadEveryMs,
      onAlarm: deps.onAlarm,
    });
    await store.init();
    store.start();
  } else if (!anchors) {
    throw new TrustError('CONFIG_INVALID', 'Trust-Konfiguration ungültig: weder TSL noch Vertrauensanker');
  }
  const ocsp = new OcspChecker({ timeoutMs: o.ocsp.timeoutMs, hash: o.ocsp.hash, requireNonce: o.ocsp.requireNonce });
  const decision = createTrustDecision({
    env: o.env,
    trustStore: combineTrust(store, anchors),
    ocsp,
    offlineOcsp: o.offlineOcsp,
    hashDb: deps.hashDb ? new HashDbRepository(deps.hashDb) : null,
    audit: deps.audit,
  });
  return { store, ocsp, decision, stop: () => store?.stop() };
}

/**
 * gematik's test material (../shared/interop/gematik or POPP_INTEROP_DIR): its TSL with the
 * embedded signer pinned, roots.json, and the offline OCSP policy for GEM.EGK-CA51 TEST-ONLY,
 * whose responder is unreachable from here. Development and tests only.
 */
export function gematikTestTrustOptions(env: 'development' | 'test' = 'development'): TrustSetupOptions {
  const file = interopPath('tsl', 'TSL-valid-ECC-rise-cvc.xml');
  const xml = readFileSync(file, 'utf8');
  const signer = /<ds:X509Certificate>([^<]+)<\/ds:X509Certificate>/.exec(xml)?.[1];
  if (!signer) throw new TrustError('TSL_MALFORMED', 'gematik-TSL ohne Signer-Zertifikat');
  return {
    env,
    tsl: { file, signerSha256: [createHash('sha256').update(Buffer.from(signer, 'base64')).digest('hex')] },
    rootsFile: interopPath('tsl', 'roots.json'),
    offlineOcsp: [{ caCommonName: 'GEM.EGK-CA51 TEST-ONLY', reason: 'gematik-Testkarte: OCSP-Responder http://ehca.gematik.de/ocsp/ ist von hier nicht erreichbar' }],
  };
}
