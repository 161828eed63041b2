/**
 * `popp card-check`: the headless PoPP-Client. Runs the eGK check against a PoPP-Service
 * with a software eGK in this process as the card (gematik's card image or a freshly
 * generated test card) and prints the token — on stdout, alone, so that
 * `popp card-check … | popp verify` works; progress and errors go to stderr.
 */
import { readFileSync } from 'node:fs';
import { WebSocket } from 'ws';
import type { Lang } from '../../lib/popp-messages/bde-codes';
import { describeEhcError, isEhcClientError, runEhcCheck, webSocketChannel, type EhcProgress } from '../../lib/popp-client';
import { SoftwareEgk } from '../egk';
import { DEV_INSTITUTION_HEADER, readDevCredential } from '../popp/ehc/dev-credential';
import { EHC_PATH } from '../popp/ehc/ws-endpoint';
import { NoTestPkiError, defaultTestPkiDir, generatedSoftwareEgk } from '../popp/ehc/generated-card';
import { softwareCardTransport } from '../popp/ehc/software-transport';

const TEXT = {
  de: {
    usage: [
      'Aufruf: popp card-check --card <Kartenabbild.xml | generated> [--url <Service-URL>] [--dev-credential <Wert>] [--testpki <Verzeichnis>] [--lang en]',
      '',
      'Führt den eGK-Check-in gegen einen PoPP-Service aus, mit einer Software-eGK als Karte,',
      'und gibt das PoPP-Token auf stdout aus (nur das Token; alles andere auf stderr).',
      '',
      '  --card            gematik-Kartenabbild (XML) oder "generated" (eine gültige Karte der Test-PKI)',
      '  --testpki         Verzeichnis der Test-PKI (popp testpki --out …) für --card generated',
      '                    (Standard: $POPP_TESTPKI_DIR, sonst <DATA_DIR>/testpki); der Service muss ihr vertrauen',
      '  --url             ws(s)://… des Endpunkts oder die Basis-URL des Service',
      `                    (Standard: $POPP_URL, sonst ws://localhost:3000${EHC_PATH})`,
      '  --dev-credential  Entwicklungs-Institutionsnachweis (sonst $POPP_DEV_CREDENTIAL); nur in Entwicklung,',
      `                    als Header ${DEV_INSTITUTION_HEADER} gesendet; in Produktion abgelehnt`,
      '  --lang en         englische Meldungen (auch POPP_LANG=en)',
    ].join('\n'),
    missingCard: 'Bitte --card angeben.',
    badArg: (a: string) => `Unbekannte Option: ${a}`,
    badUrl: (u: string) => `Ungültige Service-URL: ${u}`,
    cardUnreadable: (p: string) => `Kartenabbild nicht lesbar: ${p}`,
    noTestPki: (d: string) => `Keine Test-PKI mit gültigen Karten in ${d}: mit "popp testpki --out ${d}" erzeugen oder --testpki angeben.`,
    connecting: (u: string) => `Verbinde mit ${u} …`,
    step: (p: Extract<EhcProgress, { phase: 'step' }>) => `Szenario ${p.scenario}: Schritt ${p.step} von ${p.steps}`,
    done: (n: number) => `Token erhalten (${n} Szenarien).`,
    failed: (m: string, code: string) => `Fehler: ${m} [${code}]`,
    refused: (status: number) =>
      status === 401
        ? 'Der Dienst hat den Zugang abgelehnt (HTTP 401): Entwicklungs-Zugang fehlt oder passt nicht. Im Verzeichnis des Dienstes ausführen, DATA_DIR wie beim Dienst setzen oder --dev-credential angeben.'
        : status === 404
          ? 'Unter dieser Adresse gibt es keinen eGK-Endpunkt (HTTP 404): --url prüfen (in Produktion nur mit konfigurierter Vertrauensbasis).'
          : `Der Dienst hat die Verbindung abgelehnt (HTTP ${status}).`,
  },
  en: {
    usage: [
      'Usage: popp card-check --card <card-image.xml | generated> [--url <service URL>] [--dev-credential <value>] [--testpki <dir>] [--lang en]',
      '',
      'Runs the eGK check-in against a PoPP-Service with a software eGK as the card and prints',
      'the PoPP token on stdout (the token only; everything else goes to stderr).',
      '',
      '  --card            gematik card image (XML) or "generated" (a valid card of the test PKI)',
      '  --testpki         test PKI directory (popp testpki --out …) for --card generated',
      '                    (default: $POPP_TESTPKI_DIR, else <DATA_DIR>/testpki); the service must trust it',
      '  --url             ws(s)://… of the endpoint, or the service base URL',
      `                    (default: $POPP_URL, else ws://localhost:3000${EHC_PATH})`,
      '  --dev-credential  development institution credential (else $POPP_DEV_CREDENTIAL); development only,',
      `                    sent as header ${DEV_INSTITUTION_HEADER}; refused in production`,
      '  --lang en         English messages (also POPP_LANG=en)',
    ].join('\n'),
    missingCard: 'Please pass --card.',
    badArg: (a: string) => `Unknown option: ${a}`,
    badUrl: (u: string) => `Invalid service URL: ${u}`,
    cardUnreadable: (p: string) => `Card image not readable: ${p}`,
    noTestPki: (d: string) => `No test PKI with valid cards in ${d}: create one with "popp testpki --out ${d}" or pass --testpki.`,
    connecting: (u: string) => `Connecting to ${u} …`,
    step: (p: Extract<EhcProgress, { phase: 'step' }>) => `Scenario ${p.scenario}: step ${p.step} of ${p.steps}`,
    done: (n: number) => `Token received (${n} scenarios).`,
    failed: (m: string, code: string) => `Error: ${m} [${code}]`,
    refused: (status: number) =>
      status === 401
        ? 'The service refused access (HTTP 401): the development credential is missing or wrong. Run in the service directory, set DATA_DIR as for the service, or pass --dev-credential.'
        : status === 404
          ? 'No eGK endpoint at this address (HTTP 404): check --url (in production only with configured trust).'
          : `The service refused the connection (HTTP ${status}).`,
  },
} satisfies Record<Lang, unknown>;

interface Options {
  card?: string;
  testPki?: string;
  url?: string;
  credential?: string;
  lang: Lang;
  help: boolean;
}

function parseArgs(args: string[]): Options | { bad: string } {
  const o: Options = {
    lang: process.env.POPP_LANG === 'en' ? 'en' : 'de',
    help: false,
    url: process.env.POPP_URL,
    credential: process.env.POPP_DEV_CREDENTIAL ?? readDevCredential(),
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => args[++i];
    if (a === '--help' || a === '-h') o.help = true;
    else if (a === '--card') o.card = value();
    else if (a === '--url') o.url = value();
    else if (a === '--testpki') o.testPki = value();
    else if (a === '--dev-credential') o.credential = value();
    else if (a === '--lang') o.lang = value() === 'en' ? 'en' : 'de';
    else return { bad: a };
  }
  return o;
}

/** Accepts the endpoint's ws(s) URL or the service's http(s) base URL. */
export function endpointUrl(input: string | undefined): string | undefined {
  const raw = input ?? `ws://localhost:3000${EHC_PATH}`;
  let u: URL;
  try {
    u = new URL(raw);
  } catch {
    return undefined;
  }
  if (u.protocol === 'http:') u.protocol = 'ws:';
  else if (u.protocol === 'https:') u.protocol = 'wss:';
  else if (u.protocol !== 'ws:' && u.protocol !== 'wss:') return undefined;
  if (u.pathname === '/' || u.pathname === '') u.pathname = EHC_PATH;
  return u.toString();
}

function loadCard(spec: string, testPkiDir: string | undefined): SoftwareEgk {
  if (spec === 'generated') return generatedSoftwareEgk(testPkiDir ?? defaultTestPkiDir());
  return SoftwareEgk.fromImageXml(readFileSync(spec, 'utf8'));
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  const lang: Lang = 'bad' in parsed ? (process.env.POPP_LANG === 'en' ? 'en' : 'de') : parsed.lang;
  const t = TEXT[lang];
  const err = (line: string) => process.stderr.write(`${line}\n`);
  if ('bad' in parsed) {
    err(`${t.badArg(parsed.bad)}\n\n${t.usage}`);
    return 2;
  }
  if (parsed.help) {
    err(t.usage);
    return 0;
  }
  if (!parsed.card) {
    err(`${t.missingCard}\n\n${t.usage}`);
    return 2;
  }
  const url = endpointUrl(parsed.url);
  if (!url) {
    err(t.badUrl(parsed.url ?? ''));
    return 2;
  }
  let egk: SoftwareEgk;
  try {
    egk = loadCard(parsed.card, parsed.testPki);
  } catch (e) {
    err(e instanceof NoTestPkiError ? t.noTestPki(e.dir) : t.cardUnreadable(parsed.card));
    return 2;
  }
  const card = softwareCardTransport(egk);
  let refusedStatus = 0;
  await card.connect();
  err(t.connecting(url));
  try {
    const headers = parsed.credential ? { [DEV_INSTITUTION_HEADER]: parsed.credential } : undefined;
    const ws = new WebSocket(url, { headers, maxPayload: 1 << 20 });
    // The client core only learns "could not connect"; the handshake's HTTP status says why.
    ws.on('unexpected-response', (_req, res) => {
      refusedStatus = res.statusCode ?? 0;
      ws.terminate();
    });
    const channel = await webSocketChannel(ws as never);
    const result = await runEhcCheck({
      channel,
      card,
      onProgress: (p) => {
        if (p.phase === 'step') err(t.step(p));
      },
    });
    err(t.done(result.scenarios));
    process.stdout.write(`${result.token}\n`);
    return 0;
  } catch (e) {
    if (refusedStatus) {
      err(t.failed(t.refused(refusedStatus), `http-${refusedStatus}`));
      return 1;
    }
    if (isEhcClientError(e)) {
      err(t.failed(describeEhcError(e, lang), e.serviceErrorCode ?? e.code));
      return 1;
    }
    err(t.failed(String((e as Error)?.message ?? e), 'internal'));
    return 1;
  } finally {
    await card.close();
  }
}
