/**
 * `popp bridge`: the local PC/SC bridge for the practice dashboard. Serves the
 * PC's card readers on ws://127.0.0.1:<port> to the allowed origins, after the
 * page has sent the pairing code printed here. With --virtual-egk it serves a
 * clearly labelled virtual reader holding a software eGK instead (demo, tests).
 */
import { readFileSync } from 'node:fs';
import { LOCAL_NETWORK_ACCESS_GUIDANCE } from '../../client/card-bridge/loopback/guidance';
import { DEFAULT_BRIDGE_PORT, formatPairingCode } from '../../client/card-bridge/loopback/protocol';
import { readerErrorText } from '../../client/card-bridge/messages';
import { isReaderError } from '../../lib/ccid/errors';
import type { ReaderBackend } from '../bridge/backend';
import { DEFAULT_ALLOWED_ORIGINS, normaliseOrigin } from '../bridge/origin';
import { startBridgeServer, type BridgeServer } from '../bridge/server';

type Lang = 'de' | 'en';

const TEXT = {
  de: {
    usage: [
      'Aufruf: popp bridge [--port <Port>] [--origin <URL>]… [--virtual-egk <Kartenabbild.xml>] [--lang en]',
      '',
      'Stellt die Kartenleser dieses PCs (PC/SC) dem Praxis-Dashboard im Browser zur Verfügung,',
      'nur auf 127.0.0.1 und nur für freigegebene Adressen, nach Eingabe des Kopplungscodes.',
      '',
      `  --port         TCP-Port (Standard ${DEFAULT_BRIDGE_PORT}, auch $POPP_BRIDGE_PORT)`,
      `  --origin       erlaubte Dashboard-Adresse, mehrfach möglich (Standard ${DEFAULT_ALLOWED_ORIGINS.join(', ')};`,
      '                 auch $POPP_BRIDGE_ORIGINS, durch Kommas getrennt)',
      '  --virtual-egk  statt PC/SC ein virtuelles Lesegerät mit Software-eGK aus diesem Kartenabbild (nur Test/Demo)',
      '  --lang en      englische Meldungen (auch POPP_LANG=en)',
    ].join('\n'),
    badArg: (a: string) => `Unbekannte Option: ${a}`,
    badPort: (p: string) => `Ungültiger Port: ${p}`,
    badOrigin: (o: string) => `Ungültige Adresse: ${o} (erwartet z. B. https://praxis.example)`,
    cardUnreadable: (p: string) => `Kartenabbild nicht lesbar: ${p}`,
    pcscMissing: (m: string) => `PC/SC nicht verfügbar: ${m}`,
    portBusy: (p: number) => `Port ${p} ist belegt – läuft die Brücke schon? Sonst --port wählen.`,
    listening: (url: string) => `PoPP-Brücke läuft auf ${url}`,
    origins: (o: string[]) => `Erlaubte Dashboard-Adressen: ${o.join(', ')}`,
    code: (c: string) => `Kopplungscode: ${c}   (bitte im Dashboard eingeben)`,
    newCode: (c: string) => `Zu viele falsche Codes – neuer Kopplungscode: ${c}`,
    virtual: 'ACHTUNG: virtuelles Lesegerät mit Software-eGK – nur für Test und Demo, kein echter Check-in.',
    reader: (n: string, p: string) => `Lesegerät „${n}“: ${p === 'present' ? 'Karte eingesteckt' : p === 'empty' ? 'keine Karte' : 'getrennt'}`,
    paired: 'Dashboard gekoppelt.',
    pairingFailed: 'Kopplungsversuch mit falschem Code abgewiesen.',
    refused: (o: string) => `Verbindung abgewiesen (Herkunft ${o || 'unbekannt'}).`,
    stopping: 'Brücke wird beendet …',
    lna: 'Hinweis für Chrome:',
  },
  en: {
    usage: [
      'Usage: popp bridge [--port <port>] [--origin <URL>]… [--virtual-egk <card-image.xml>] [--lang en]',
      '',
      "Serves this PC's card readers (PC/SC) to the practice dashboard in the browser,",
      'on 127.0.0.1 only, to allowed origins only, after the pairing code was entered.',
      '',
      `  --port         TCP port (default ${DEFAULT_BRIDGE_PORT}, also $POPP_BRIDGE_PORT)`,
      `  --origin       allowed dashboard origin, repeatable (default ${DEFAULT_ALLOWED_ORIGINS.join(', ')};`,
      '                 also $POPP_BRIDGE_ORIGINS, comma-separated)',
      '  --virtual-egk  instead of PC/SC, a virtual reader holding a software eGK from this card image (test/demo only)',
      '  --lang en      English messages (also POPP_LANG=en)',
    ].join('\n'),
    badArg: (a: string) => `Unknown option: ${a}`,
    badPort: (p: string) => `Invalid port: ${p}`,
    badOrigin: (o: string) => `Invalid origin: ${o} (expected e.g. https://practice.example)`,
    cardUnreadable: (p: string) => `Card image not readable: ${p}`,
    pcscMissing: (m: string) => `PC/SC not available: ${m}`,
    portBusy: (p: number) => `Port ${p} is in use – is the bridge already running? Otherwise choose --port.`,
    listening: (url: string) => `PoPP bridge running on ${url}`,
    origins: (o: string[]) => `Allowed dashboard origins: ${o.join(', ')}`,
    code: (c: string) => `Pairing code: ${c}   (enter it in the dashboard)`,
    newCode: (c: string) => `Too many wrong codes – new pairing code: ${c}`,
    virtual: 'NOTE: virtual reader with a software eGK – test and demo only, not a real check-in.',
    reader: (n: string, p: string) => `Reader "${n}": ${p === 'present' ? 'card inserted' : p === 'empty' ? 'no card' : 'disconnected'}`,
    paired: 'Dashboard paired.',
    pairingFailed: 'Pairing attempt with a wrong code refused.',
    refused: (o: string) => `Connection refused (origin ${o || 'unknown'}).`,
    stopping: 'Stopping the bridge …',
    lna: 'Note for Chrome:',
  },
};

interface Parsed {
  port: number;
  origins: string[];
  virtualEgk?: string;
  lang: Lang;
  help: boolean;
}

export function parseArgs(args: string[], env: Record<string, string | undefined> = process.env): Parsed | { error: string; lang: Lang } {
  let lang: Lang = env.POPP_LANG === 'en' ? 'en' : 'de';
  const li = args.indexOf('--lang');
  if (li >= 0 && args[li + 1] === 'en') lang = 'en';
  const t = TEXT[lang];
  const out: Parsed = { port: DEFAULT_BRIDGE_PORT, origins: [], lang, help: false };
  const portText = env.POPP_BRIDGE_PORT;
  const envOrigins = env.POPP_BRIDGE_ORIGINS?.split(',').map((s) => s.trim()).filter(Boolean) ?? [];
  let port = portText;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const value = () => args[++i] ?? '';
    if (a === '--help' || a === '-h') out.help = true;
    else if (a === '--port') port = value();
    else if (a === '--origin') out.origins.push(value());
    else if (a === '--virtual-egk') out.virtualEgk = value();
    else if (a === '--lang') value();
    else return { error: t.badArg(a), lang };
  }
  if (port !== undefined) {
    const n = Number(port);
    if (!Number.isInteger(n) || n < 1 || n > 65535) return { error: t.badPort(port), lang };
    out.port = n;
  }
  const origins = out.origins.length ? out.origins : envOrigins.length ? envOrigins : [...DEFAULT_ALLOWED_ORIGINS];
  for (const o of origins) if (!normaliseOrigin(o)) return { error: t.badOrigin(o), lang };
  out.origins = origins.map((o) => normaliseOrigin(o)!);
  return out;
}

async function virtualBackend(file: string): Promise<ReaderBackend> {
  const xml = readFileSync(file, 'utf8');
  const [{ SoftwareEgk }, { VirtualBackend }] = await Promise.all([import('../egk'), import('../bridge/virtual-backend')]);
  return new VirtualBackend(SoftwareEgk.fromImageXml(xml));
}

export async function run(args: string[]): Promise<number> {
  const parsed = parseArgs(args);
  if ('error' in parsed) {
    console.error(`${parsed.error}\n\n${TEXT[parsed.lang].usage}`);
    return 2;
  }
  const t = TEXT[parsed.lang];
  if (parsed.help) {
    console.log(t.usage);
    return 0;
  }

  let backend: ReaderBackend;
  if (parsed.virtualEgk) {
    try {
      backend = await virtualBackend(parsed.virtualEgk);
    } catch {
      console.error(t.cardUnreadable(parsed.virtualEgk));
      return 1;
    }
    console.log(t.virtual);
  } else {
    try {
      const { PcscBackend } = await import('../bridge/pcsc-backend');
      backend = await PcscBackend.start({ log: (e, d) => e === 'pcsc-error' && console.error(`PC/SC: ${String(d?.error ?? '')}`) });
    } catch (e) {
      console.error(t.pcscMissing(isReaderError(e) ? `${readerErrorText(e.code, parsed.lang)} (${e.message})` : String(e)));
      return 1;
    }
  }

  let last = new Map<string, string>();
  const showReaders = () => {
    const now = new Map(backend.readers().map((r) => [r.name, r.presence as string]));
    for (const [n, p] of now) if (last.get(n) !== p) console.log(t.reader(n, p));
    for (const n of last.keys()) if (!now.has(n)) console.log(t.reader(n, 'no-reader'));
    last = now;
  };
  backend.onChange(showReaders);

  let server: BridgeServer | undefined;
  try {
    server = await startBridgeServer({
      backend,
      port: parsed.port,
      allowedOrigins: parsed.origins,
      onPairingCode: (code) => {
        if (server) console.log(t.newCode(formatPairingCode(code)));
      },
      log: (event, d) => {
        if (event === 'paired') console.log(t.paired);
        else if (event === 'pairing-failed') console.log(t.pairingFailed);
        else if (event === 'refused') console.log(t.refused(String(d?.origin ?? '')));
      },
    });
  } catch (e) {
    await backend.close();
    if ((e as NodeJS.ErrnoException).code === 'EADDRINUSE') {
      console.error(t.portBusy(parsed.port));
      return 1;
    }
    throw e;
  }
  console.log(t.listening(server.url));
  console.log(t.origins(parsed.origins));
  console.log('');
  console.log(t.code(formatPairingCode(server.pairingCode)));
  console.log('');
  console.log(t.lna);
  for (const line of LOCAL_NETWORK_ACCESS_GUIDANCE[parsed.lang]) console.log(`  – ${line}`);
  showReaders();

  const running = server;
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  console.log(t.stopping);
  await running.close();
  await backend.close();
  return 0;
}
