/**
 * Starts two real service instances (own SQLite data dirs, real test IdP) for the
 * e2e run: `main` with the default 5-minute consent codes, `short` with 10-second
 * codes for the expiry case. Each one prints its one-time setup link, which the
 * setup project uses to enrol a passkey.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { serversFile, stateDir, type TestServer } from './servers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function startServer(name: TestServer['name'], port: number, ttlSeconds: number, bridgePort: number): Promise<{ proc: ChildProcess; server: TestServer }> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), `popp-e2e-${name}-`));
  const proc = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/main.ts')], {
    cwd: root,
    env: { ...process.env, NODE_ENV: 'production', PORT: String(port), DATA_DIR: dataDir, CONSENT_CODE_TTL_SECONDS: String(ttlSeconds), POPP_BRIDGE_PORT: String(bridgePort), NEXT_TELEMETRY_DISABLED: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const setupLink = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`server ${name} did not start:\n${out}`)), 60_000);
    const onData = (d: Buffer) => {
      out += d.toString();
      const m = /SETUP-LINK: (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
      if (process.env.POPP_E2E_VERBOSE) process.stderr.write(d);
    });
    proc.on('exit', (code) => reject(new Error(`server ${name} exited (${code}):\n${out}`)));
  });
  proc.stdout!.on('data', (d: Buffer) => process.env.POPP_E2E_VERBOSE && process.stdout.write(d));
  return { proc, server: { name, url: `http://localhost:${port}`, setupLink, dataDir, ttlSeconds, bridgePort } };
}

export default async function globalSetup() {
  const build = spawnSync(process.execPath, ['-e', "import('./scripts/start.mjs').then(m => process.exit(m.needsBuild() ? 1 : 0))"], { cwd: root });
  if (build.status !== 0) {
    const r = spawnSync('npx', ['next', 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    if (r.status !== 0) throw new Error('next build failed');
  }
  rmSync(stateDir, { recursive: true, force: true });
  mkdirSync(stateDir, { recursive: true });
  const basePort = Number(process.env.POPP_E2E_PORT ?? 3100);
  // Bridge ports away from 17373, so a developer's running `popp bridge` never meets the tests.
  const main = await startServer('main', basePort, 300, basePort + 70);
  const short = await startServer('short', basePort + 1, 10, basePort + 71);
  writeFileSync(serversFile, JSON.stringify({ main: main.server, short: short.server }, null, 2));
  return async () => {
    for (const { proc, server } of [main, short]) {
      proc.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 200));
      rmSync(server.dataDir, { recursive: true, force: true });
    }
  };
}
