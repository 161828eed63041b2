import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { interopAvailable, interopPath } from '../testing/interop';
import { parseArgs } from './bridge';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

describe('popp bridge arguments', () => {
  it('defaults: port 17373, origin http://localhost:3000, German', () => {
    expect(parseArgs([], {})).toEqual({ port: 17373, origins: ['http://localhost:3000'], lang: 'de', help: false });
  });

  it('takes origins from flags, else from POPP_BRIDGE_ORIGINS; normalises them', () => {
    expect(parseArgs(['--origin', 'https://Praxis.example/', '--origin', 'http://localhost:3000'], {})).toMatchObject({
      origins: ['https://praxis.example', 'http://localhost:3000'],
    });
    expect(parseArgs([], { POPP_BRIDGE_ORIGINS: 'https://a.example, https://b.example' })).toMatchObject({
      origins: ['https://a.example', 'https://b.example'],
    });
  });

  it('refuses bad input with a message in the chosen language', () => {
    expect(parseArgs(['--port', '99999'], {})).toEqual({ error: 'Ungültiger Port: 99999', lang: 'de' });
    expect(parseArgs(['--origin', 'ftp://x'], { POPP_LANG: 'en' })).toMatchObject({ error: expect.stringMatching(/^Invalid origin/), lang: 'en' });
    expect(parseArgs(['--bogus'], {})).toMatchObject({ error: 'Unbekannte Option: --bogus' });
  });
});

describe.runIf(interopAvailable())('popp bridge --virtual-egk (process)', () => {
  it('prints the pairing code and the Chrome guidance, serves the labelled virtual reader, stops on SIGTERM', async () => {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const child = spawn(process.execPath, ['bin/popp.mjs', 'bridge', '--port', String(port), '--virtual-egk', interopPath('card-image', 'IMG_eGK_G21_TU_root6.xml')], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const end = Date.now() + 20_000;
      while (!/Kopplungscode: (\d{3}) (\d{3})/.test(out)) {
        if (Date.now() > end || child.exitCode !== null) throw new Error(`bridge did not start: ${out}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(out).toMatch(/virtuelles Lesegerät mit Software-eGK/);
      expect(out).toMatch(/lokalen Netzwerk/);
      const [, a, b] = /Kopplungscode: (\d{3}) (\d{3})/.exec(out)!;
      const ws = new WebSocket(`ws://127.0.0.1:${port}`, { origin: 'http://localhost:3000' });
      const welcome = await new Promise<{ type: string; readers: { name: string; virtual?: boolean }[] }>((resolve, reject) => {
        ws.on('open', () => ws.send(JSON.stringify({ type: 'hello', v: 1, pairingCode: a + b })));
        ws.on('message', (d) => resolve(JSON.parse(d.toString())));
        ws.on('error', reject);
      });
      expect(welcome.type).toBe('welcome');
      expect(welcome.readers[0]).toMatchObject({ virtual: true });
      ws.close();
    } finally {
      child.kill('SIGTERM');
      const code = await new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
      expect(code).toBe(0);
    }
  }, 40_000);
});
