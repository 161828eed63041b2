/**
 * `popp verify`: checks one PoPP token against configured issuers. The token comes from stdin
 * or a file, never from the command line (shell history, `ps`), and is never printed.
 * Exit codes: 0 valid, 1 invalid, 2 usage or configuration error, 3 could not check (keys unreachable).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { createVerifier, VERIFY_MESSAGES, PROFILES, type IssuerConfig, type Profile, type VerifierConfig, type VerifyResult } from '../verifier';
import type { FetchLike } from '../verifier/keysource';

export interface VerifyCliIo {
  readStdin(): Promise<string>;
  stdinIsTTY: boolean;
  out(line: string): void;
  err(line: string): void;
  env: Record<string, string | undefined>;
  fetch?: FetchLike;
  /** Unix seconds. */
  now?: () => number;
}

type Lang = 'de' | 'en';
const MAX_INPUT = 64 * 1024;

const T = {
  de: {
    usage: [
      'Aufruf: popp verify [--file <token-datei>] (--issuer <url> --ca <ca.pem> | --config <datei.json>)',
      '                    [--profile basic|erezept|vsdm|epa] [--actor <telematik-id>] [--json] [--lang en]',
      '',
      'Liest das Token von stdin (z. B. popp verify --issuer … --ca … < token.txt) oder aus --file.',
      'Profile: basic (nur Signatur, Claims, iat), erezept (Alter ≤ 30 min, --actor Pflicht),',
      '         vsdm (bis Quartalsende UTC + 60 s), epa (Einmalnutzung).',
      'Exit-Code: 0 gültig, 1 ungültig, 2 Aufruf- oder Konfigurationsfehler, 3 nicht prüfbar (Schlüssel nicht erreichbar).',
    ].join('\n'),
    tokenOnCommandLine:
      'Tokens gehören nicht auf die Kommandozeile: Argumente landen in der Shell-History und sind für andere Prozesse sichtbar (ps). Bitte über stdin oder --file übergeben.',
    unexpectedArg: 'Unerwartetes Argument. Das Token wird über stdin oder --file übergeben.',
    noToken: 'Kein Token: bitte über stdin (… < token.txt) oder mit --file übergeben.',
    fileUnreadable: 'Die mit --file angegebene Datei ist nicht lesbar.',
    tooLarge: 'Eingabe ist größer als 64 KiB – das ist kein PoPP-Token.',
    noIssuer: 'Kein Aussteller konfiguriert: --issuer <url> mit --ca <pem> oder --config <json> angeben.',
    noCa: 'Zu --issuer fehlt mindestens ein --ca <pem>.',
    badConfig: 'Konfiguration ungültig',
    badProfile: `Unbekanntes Profil. Erlaubt: ${PROFILES.join(', ')}.`,
    badArgs: 'Ungültige Optionen',
    valid: 'Gültig',
    invalid: 'Ungültig',
    profile: 'Profil',
    issuer: 'Aussteller',
    proof: 'Nachweis',
    patient: 'Versicherte/r',
    actor: 'Leistungserbringer',
    issued: 'Ausgestellt',
    validUntil: 'Gültig bis',
    unlimited: 'ohne Zeitgrenze (Profil basic)',
    reason: 'Detail',
  },
  en: {
    usage: [
      'Usage: popp verify [--file <token-file>] (--issuer <url> --ca <ca.pem> | --config <file.json>)',
      '                   [--profile basic|erezept|vsdm|epa] [--actor <telematik-id>] [--json] [--lang en]',
      '',
      'Reads the token from stdin (e.g. popp verify --issuer … --ca … < token.txt) or from --file.',
      'Profiles: basic (signature, claims, iat only), erezept (age ≤ 30 min, --actor required),',
      '          vsdm (until end of UTC quarter + 60 s), epa (single use).',
      'Exit code: 0 valid, 1 invalid, 2 usage or configuration error, 3 could not check (keys unreachable).',
    ].join('\n'),
    tokenOnCommandLine:
      'Tokens do not belong on the command line: arguments end up in shell history and are visible to other processes (ps). Pass it via stdin or --file.',
    unexpectedArg: 'Unexpected argument. Pass the token via stdin or --file.',
    noToken: 'No token: pass it via stdin (… < token.txt) or with --file.',
    fileUnreadable: 'The file given with --file cannot be read.',
    tooLarge: 'Input is larger than 64 KiB – that is not a PoPP token.',
    noIssuer: 'No issuer configured: give --issuer <url> with --ca <pem>, or --config <json>.',
    noCa: '--issuer needs at least one --ca <pem>.',
    badConfig: 'Invalid configuration',
    badProfile: `Unknown profile. Allowed: ${PROFILES.join(', ')}.`,
    badArgs: 'Invalid options',
    valid: 'Valid',
    invalid: 'Invalid',
    profile: 'profile',
    issuer: 'Issuer',
    proof: 'Proof',
    patient: 'Insured person',
    actor: 'Provider',
    issued: 'Issued',
    validUntil: 'Valid until',
    unlimited: 'no time bound (profile basic)',
    reason: 'Detail',
  },
};

const configFileSchema = z
  .object({
    issuers: z
      .array(
        z
          .object({
            iss: z.string(),
            /** CA certificate files (PEM), relative to the config file. */
            ca: z.array(z.string()).min(1),
            entityKeyThumbprints: z.array(z.string()).optional(),
            jwksRefreshSeconds: z.number().int().positive().optional(),
          })
          .strict(),
      )
      .min(1),
    erezeptMaxAgeSeconds: z.number().int().positive().optional(),
    leewaySeconds: z.number().int().nonnegative().optional(),
  })
  .strict();

/** Decided before parsing, so that even an argument error is reported in the chosen language. */
function pickLang(args: string[], env: Record<string, string | undefined>): Lang {
  const i = args.indexOf('--lang');
  const v = i >= 0 ? args[i + 1] : args.find((a) => a.startsWith('--lang='))?.slice('--lang='.length);
  return (v ?? env.POPP_LANG) === 'en' ? 'en' : 'de';
}

const looksLikeJwt = (s: string) => /^[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]*$/.test(s.trim());
const maskKvnr = (k: string) => `${k.slice(0, 3)}****${k.slice(-3)}`;
const iso = (s: number) => new Date(s * 1000).toISOString().replace('.000Z', 'Z');

export async function runVerifyCli(args: string[], io: VerifyCliIo): Promise<number> {
  const lang = pickLang(args, io.env);
  const t = T[lang];
  let values: ReturnType<typeof parse>['values'];
  let positionals: string[];
  try {
    ({ values, positionals } = parse(args));
  } catch (e) {
    // parseArgs messages name options, never their values.
    io.err(`${t.badArgs}: ${(e as Error).message}\n\n${t.usage}`);
    return 2;
  }
  if (values.help) {
    io.out(t.usage);
    return 0;
  }
  if (positionals.length) {
    io.err(positionals.some(looksLikeJwt) ? t.tokenOnCommandLine : `${t.unexpectedArg}\n\n${t.usage}`);
    return 2;
  }
  const profile = (values.profile ?? 'basic') as Profile;
  if (!(PROFILES as readonly string[]).includes(profile)) {
    io.err(t.badProfile);
    return 2;
  }

  let config: VerifierConfig;
  try {
    const c = buildConfig(values, io, t);
    if (typeof c === 'string') {
      io.err(c);
      return 2;
    }
    config = c;
  } catch (e) {
    io.err(`${t.badConfig}: ${(e as Error).message}`);
    return 2;
  }

  let token: string;
  if (values.file) {
    try {
      token = readFileSync(values.file, 'utf8');
    } catch {
      io.err(t.fileUnreadable);
      return 2;
    }
  } else {
    if (io.stdinIsTTY) {
      io.err(`${t.noToken}\n\n${t.usage}`);
      return 2;
    }
    token = await io.readStdin();
  }
  if (token.length > MAX_INPUT) {
    io.err(t.tooLarge);
    return 2;
  }
  token = token.trim();
  if (!token) {
    io.err(t.noToken);
    return 2;
  }

  let verifier;
  try {
    verifier = createVerifier(config);
  } catch (e) {
    io.err(`${t.badConfig}: ${(e as Error).message}`);
    return 2;
  }
  const r = await verifier.verify(token, { profile, actorId: values.actor });
  if (values.json) {
    io.out(JSON.stringify(r.ok ? { valid: true, profile, claims: r.claims, validUntil: r.validUntil } : { valid: false, profile, code: r.code, reason: r.reason }));
  } else {
    io.out(describe(r, profile, lang));
  }
  // 3 = could not check (keys unreachable, replay store down): a script must not treat that as "forged".
  if (!r.ok && (r.code === 'keys_unavailable' || r.code === 'replay_store_unavailable' || r.code === 'internal_error')) return 3;
  return r.ok ? 0 : 1;
}

function describe(r: VerifyResult, profile: Profile, lang: Lang): string {
  const t = T[lang];
  if (!r.ok) return `${t.invalid}: ${VERIFY_MESSAGES[r.code][lang]} [${r.code}]\n  ${t.reason}: ${r.reason}`;
  const c = r.claims;
  return [
    `${t.valid} (${t.profile} ${profile})`,
    `  ${t.issuer}: ${c.iss}`,
    `  ${t.proof}: ${c.proofMethod}, ${iso(c.patientProofTime)}`,
    `  ${t.patient}: ${maskKvnr(c.patientId)} (IK ${c.insurerId})`,
    `  ${t.actor}: ${c.actorId} (${c.actorProfessionOid})`,
    `  ${t.issued}: ${iso(c.iat)}`,
    `  ${t.validUntil}: ${r.validUntil === null ? t.unlimited : iso(r.validUntil)}`,
  ].join('\n');
}

function parse(args: string[]) {
  return parseArgs({
    args,
    allowPositionals: true,
    strict: true,
    options: {
      file: { type: 'string' },
      issuer: { type: 'string', multiple: true },
      ca: { type: 'string', multiple: true },
      config: { type: 'string' },
      profile: { type: 'string' },
      actor: { type: 'string' },
      lang: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function buildConfig(values: ReturnType<typeof parse>['values'], io: VerifyCliIo, t: (typeof T)['de']): VerifierConfig | string {
  const issuers: IssuerConfig[] = [];
  let profileSettings: VerifierConfig['profile'];
  if (values.config) {
    const file = path.resolve(values.config);
    const parsed = configFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    if (!parsed.success) return `${t.badConfig}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`;
    for (const i of parsed.data.issuers) {
      issuers.push({
        iss: i.iss,
        trustAnchors: i.ca.map((p) => readFileSync(path.resolve(path.dirname(file), p), 'utf8')),
        entityKeyThumbprints: i.entityKeyThumbprints,
        jwksRefreshSeconds: i.jwksRefreshSeconds,
        fetch: io.fetch,
      });
    }
    profileSettings = { erezeptMaxAgeSeconds: parsed.data.erezeptMaxAgeSeconds, leewaySeconds: parsed.data.leewaySeconds };
    profileSettings = Object.fromEntries(Object.entries(profileSettings).filter(([, v]) => v !== undefined));
  }
  if (values.issuer?.length) {
    if (!values.ca?.length) return t.noCa;
    const anchors = values.ca.map((p) => readFileSync(path.resolve(p), 'utf8'));
    for (const iss of values.issuer) issuers.push({ iss, trustAnchors: anchors, fetch: io.fetch });
  }
  if (issuers.length === 0) return t.noIssuer;
  return { issuers, now: io.now, profile: profileSettings };
}

export async function run(args: string[]): Promise<number> {
  return runVerifyCli(args, {
    readStdin: async () => {
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const c of process.stdin as AsyncIterable<Buffer>) {
        total += c.length;
        if (total > MAX_INPUT) return 'x'.repeat(MAX_INPUT + 1);
        chunks.push(c);
      }
      return Buffer.concat(chunks).toString('utf8');
    },
    stdinIsTTY: Boolean(process.stdin.isTTY),
    out: (l) => console.log(l),
    err: (l) => console.error(l),
    env: process.env,
  });
}
