import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SoftwareEgk } from '../../egk';
import { isTestPkiDir } from './dev-trust';

/**
 * "A generated card" for `popp card-check --card generated`: one of the valid software
 * eGKs a test PKI directory holds (`popp testpki --out <dir>`), picked at random. The
 * service must trust the same directory (devEhcTrust({ testPkiDir })). Where it lives:
 * `--testpki <dir>`, else POPP_TESTPKI_DIR, else `<DATA_DIR>/testpki`.
 */
export function defaultTestPkiDir(): string {
  return path.resolve(process.env.POPP_TESTPKI_DIR ?? path.join(process.env.DATA_DIR ?? './data', 'testpki'));
}

export class NoTestPkiError extends Error {
  constructor(readonly dir: string) {
    super(`no test PKI in ${dir}`);
  }
}

export function generatedSoftwareEgk(dir = defaultTestPkiDir(), random: () => number = Math.random): SoftwareEgk {
  if (!isTestPkiDir(dir)) throw new NoTestPkiError(dir);
  const index = JSON.parse(readFileSync(path.join(dir, 'trust.json'), 'utf8')) as { cards?: { file: string; state: string }[] };
  const valid = (index.cards ?? []).filter((c) => c.state === 'valid');
  if (valid.length === 0) throw new NoTestPkiError(dir);
  const pick = valid[Math.floor(random() * valid.length)];
  return SoftwareEgk.fromImageXml(readFileSync(path.join(dir, pick.file), 'utf8'));
}
