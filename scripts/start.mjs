#!/usr/bin/env node
// `npm start`: build the dashboard if it is missing or older than its sources, then
// start the one server process (service, dashboard, test IdP) on embedded defaults.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const buildId = path.join(root, '.next', 'BUILD_ID');

function newest(dir) {
  let t = 0;
  if (!existsSync(dir)) return t;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    t = Math.max(t, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }
  return t;
}

export function needsBuild() {
  if (!existsSync(buildId)) return true;
  const built = statSync(buildId).mtimeMs;
  const sources = Math.max(...['app', 'client', 'lib', 'public'].map((d) => newest(path.join(root, d))), statSync(path.join(root, 'next.config.js')).mtimeMs, statSync(path.join(root, 'package-lock.json')).mtimeMs);
  return sources > built;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  if (needsBuild()) {
    console.log('Dashboard wird gebaut (einmalig, ca. 1–2 Minuten) …');
    const r = spawnSync('npx', ['next', 'build'], { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' } });
    if (r.status !== 0) process.exit(r.status ?? 1);
  }
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'server/main.ts'), ...process.argv.slice(2)], {
    cwd: root,
    stdio: 'inherit',
    env: { NODE_ENV: 'production', NEXT_TELEMETRY_DISABLED: '1', ...process.env },
  });
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
  child.on('exit', (code) => process.exit(code ?? 0));
}
