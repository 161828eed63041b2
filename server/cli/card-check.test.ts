import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { DEV_INSTITUTION_HEADER } from '../popp/ehc/dev-credential';
import { devEhcTrust } from '../popp/ehc/dev-trust';
import { createEhcEndpoint, EHC_PATH } from '../popp/ehc/endpoint';
import { serveEhc } from '../popp/ehc/test-server';
import { writeDevTrust } from '../testpki/write';
import { interopAvailable, interopPath } from '../testing/interop';
import { endpointUrl, run } from './card-check';

/** `popp card-check` in-process against a real endpoint: the token alone on stdout, all else on stderr. */

const TOKEN = 'eyJhbGciOiJFUzI1NiJ9.eyJ0ZXN0IjoxfQ.c2ln';
const dir = mkdtempSync(path.join(tmpdir(), 'popp-card-check-'));
writeDevTrust(dir, { validCards: 2 });
const seenCredentials: (string | undefined)[] = [];
let url = '';
let stop: () => Promise<void>;
let failing = false;

beforeAll(async () => {
  const endpoint = createEhcEndpoint({
    authenticate: async (req) => {
      const c = req.headers[DEV_INSTITUTION_HEADER] as string | undefined;
      seenCredentials.push(c);
      return c === 'dev-secret' ? { telematikId: '1-20014060625', professionOid: '1.2.276.0.76.4.50' } : null;
    },
    issueToken: async () => TOKEN,
    trust: devEhcTrust({ gematik: interopAvailable(), testPkiDir: dir }),
    config: { cardTimeBudgetMs: 5000, maxFrameBytes: 65536, get production() {
      return failing;
    } },
    now: Date.now,
  });
  ({ url, stop } = await serveEhc(endpoint));
});
afterAll(async () => {
  await stop();
  rmSync(dir, { recursive: true, force: true });
});

function capture() {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((c: string | Uint8Array) => ((out += String(c)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((c: string | Uint8Array) => ((err += String(c)), true));
  return { out: () => out, err: () => err };
}
afterEach(() => {
  vi.restoreAllMocks();
  failing = false;
});

describe('popp card-check', () => {
  it.runIf(interopAvailable())('prints only the token for gematik’s card image', async () => {
    const io = capture();
    const code = await run(['--card', interopPath('card-image', 'IMG_eGK_G21_TU_root6.xml'), '--url', url, '--dev-credential', 'dev-secret']);
    expect(code).toBe(0);
    expect(io.out()).toBe(`${TOKEN}\n`);
    expect(io.err()).toMatch(/Szenario 1: Schritt 12 von 12/);
    expect(io.err()).toMatch(/Token erhalten \(2 Szenarien\)/);
    expect(seenCredentials.at(-1)).toBe('dev-secret');
  });

  it('uses a generated card of the test PKI directory (--card generated --testpki), English on request', async () => {
    const io = capture();
    const code = await run(['--card', 'generated', '--testpki', dir, '--url', url, '--dev-credential', 'dev-secret', '--lang', 'en']);
    expect(code).toBe(0);
    expect(io.out()).toBe(`${TOKEN}\n`);
    expect(io.err()).toMatch(/Token received \((2|3) scenarios\)/);
  });

  it('takes the credential from POPP_DEV_CREDENTIAL; without one the upgrade is refused (exit 1, nothing on stdout)', async () => {
    let io = capture();
    vi.stubEnv('POPP_DEV_CREDENTIAL', 'dev-secret');
    expect(await run(['--card', 'generated', '--testpki', dir, '--url', url])).toBe(0);
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
    io = capture();
    expect(await run(['--card', 'generated', '--testpki', dir, '--url', url])).toBe(1);
    expect(io.out()).toBe('');
    // The handshake's 401 is named, with what to do about it.
    expect(io.err()).toMatch(/HTTP 401.*Entwicklungs-Zugang/);
  });

  it.each([
    [[], 2],
    [['--card'], 2],
    [['--bogus'], 2],
    [['--card', '/nonexistent.xml'], 2],
    [['--card', 'generated', '--testpki', '/nonexistent'], 2],
    [['--card', 'x.xml', '--url', 'ftp://x'], 2],
    [['--help'], 0],
  ])('%j → exit %i, nothing on stdout', async (args, code) => {
    const io = capture();
    expect(await run(args as string[])).toBe(code);
    expect(io.out()).toBe('');
  });

  it('accepts the endpoint URL or the service base URL', () => {
    expect(endpointUrl('https://popp.example')).toBe(`wss://popp.example${EHC_PATH}`);
    expect(endpointUrl('http://localhost:3000/')).toBe(`ws://localhost:3000${EHC_PATH}`);
    expect(endpointUrl(`ws://h:1${EHC_PATH}`)).toBe(`ws://h:1${EHC_PATH}`);
    expect(endpointUrl(undefined)).toBe(`ws://localhost:3000${EHC_PATH}`);
    expect(endpointUrl('nope')).toBeUndefined();
  });
});
