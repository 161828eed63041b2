import { readFileSync } from 'node:fs';
import { fromHex } from '../../../lib/bytes/hex';
import { interopPath } from '../../testing/interop';
import { importEcPrivateKey } from '../crypto-node';
import { type Cvc, parseCvc } from '../cvc/cvc';

/** Test-only access to gematik's material (read at test time, never copied into the repo). */
export interface TraceExchange {
  tx: Uint8Array;
  rx: Uint8Array;
}

export function readTrace(name: string): { header: Record<string, unknown>; exchanges: TraceExchange[] } {
  const lines = readFileSync(interopPath('traces', name), 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
  const header = lines.find((l) => l.type === 'header') ?? {};
  const exchanges = lines
    .filter((l) => l.type === 'exchange')
    .map((l) => ({ tx: fromHex(String(l.tx)), rx: fromHex(String(l.rx)) }));
  return { header, exchanges };
}

export function readVector(): Record<string, string> {
  return JSON.parse(readFileSync(interopPath('vectors', 'trusted-channel-vector.json'), 'utf8')) as Record<string, string>;
}

export function readCardImageXml(): string {
  return readFileSync(interopPath('card-image', 'IMG_eGK_G21_TU_root6.xml'), 'utf8');
}

export function readCvcFile(...parts: string[]): Cvc {
  return parseCvc(new Uint8Array(readFileSync(interopPath(...parts))));
}

export function testServiceIdentity(): { ee: Cvc; subCa: Cvc; root: Cvc; privateKey: Uint8Array } {
  const key = importEcPrivateKey(readFileSync(interopPath('cvc', '80276001011699902101-cvc-flag0.prv.pem'), 'utf8'));
  return {
    ee: readCvcFile('cvc', '80276001011699902101-cvc-flag0.crt'),
    subCa: readCvcFile('cvc', 'DEGXX120223.crt'),
    root: readCvcFile('cvc', 'DEGXX870222.crt'),
    privateKey: key.privateKey,
  };
}

/** Session keys after PACE in read-certs.jsonl, as given in the interop README. */
export const READ_CERTS_SESSION_KEYS = {
  kenc: fromHex('6A25BF265409435B5794BC4742DDE7C9'),
  kmac: fromHex('8DA5A5B9E27D845941DB746585EC9006'),
};
