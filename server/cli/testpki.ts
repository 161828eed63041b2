/**
 * `popp testpki --out <dir> [--cards <n>] [--ocsp-url <url>]`: writes a development trust setup
 * (CVC root, sub-CAs, service CVC + key, X.509 eGK CA, software cards). TEST ONLY.
 */
import path from 'node:path';
import { writeDevTrust } from '../testpki/write';

type Lang = 'de' | 'en';

const TEXT = {
  de: {
    usage: 'Aufruf: popp testpki --out <Verzeichnis> [--cards <Anzahl>] [--ocsp-url <URL>] [--lang en]',
    missingOut: 'Fehlt: --out <Verzeichnis>',
    badCards: '--cards erwartet eine Zahl von 0 bis 100',
    done: (n: number, f: number, dir: string) => `Test-PKI geschrieben: ${f} Dateien, ${n} Software-eGKs in ${dir} (nur für Tests!)`,
    failed: 'Test-PKI konnte nicht geschrieben werden:',
  },
  en: {
    usage: 'Usage: popp testpki --out <dir> [--cards <n>] [--ocsp-url <url>] [--lang en]',
    missingOut: 'Missing: --out <dir>',
    badCards: '--cards expects a number from 0 to 100',
    done: (n: number, f: number, dir: string) => `Test PKI written: ${f} files, ${n} software eGKs in ${dir} (test use only!)`,
    failed: 'Could not write the test PKI:',
  },
} as const;

export async function run(args: string[]): Promise<number> {
  const opts: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--help' || a === '-h') opts.help = '1';
    else if (a.startsWith('--')) opts[a.slice(2)] = args[++i] ?? '';
  }
  const lang: Lang = (opts.lang ?? process.env.POPP_LANG) === 'en' ? 'en' : 'de';
  const t = TEXT[lang];
  if (opts.help) {
    console.log(t.usage);
    return 0;
  }
  if (!opts.out) {
    console.error(`${t.missingOut}\n${t.usage}`);
    return 2;
  }
  const cards = opts.cards === undefined ? 3 : Number(opts.cards);
  if (!Number.isInteger(cards) || cards < 0 || cards > 100) {
    console.error(t.badCards);
    return 2;
  }
  try {
    const dir = path.resolve(opts.out);
    const s = writeDevTrust(dir, { validCards: cards, ocspUrl: opts['ocsp-url'] });
    console.log(t.done(s.cards, s.files.length, dir));
    return 0;
  } catch (e) {
    console.error(t.failed, e instanceof Error ? e.message : String(e));
    return 1;
  }
}
