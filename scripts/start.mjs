#!/usr/bin/env node
// `npm start`: build the dashboard if it is missing or older than its sources, then
// start the one server process (service, dashboard, test IdP) on embedded defaults.
import { spawnSync, spawn } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
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
  let bridge;
  for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => (child.kill(sig), bridge?.kill(sig)));
  child.on('exit', (code) => (bridge?.kill('SIGTERM'), process.exit(code ?? 0)));
  if (process.env.POPP_ENV !== 'production' && process.env.POPP_VIRTUAL_BRIDGE !== '0') {
    startVirtualBridge().then((p) => (bridge = p), (e) => console.error(`Virtuelle Kartenleser-Brücke nicht gestartet: ${e.message}`));
  }
}

/**
 * Development: `popp bridge --virtual-egk` next to the server, so the dashboard's default path
 * (Lokale Brücke) has a card to read without hardware. It prints its own pairing code.
 * gematik's test eGK when present, else a valid card of the test PKI the server trusts
 * (written to DATA_DIR/testpki on the server's first start, hence the wait for /healthz).
 */
async function startVirtualBridge() {
  const port = process.env.PORT ?? '3000';
  const publicUrl = process.env.PUBLIC_URL ?? `http://localhost:${port}`;
  const origin = new URL(publicUrl).origin;
  for (let i = 0; ; i++) {
    const up = await fetch(`http://${process.env.HOST ?? 'localhost'}:${port}/healthz`).then((r) => r.ok, () => false);
    if (up) break;
    if (i > 240) throw new Error('Server antwortet nicht');
    await new Promise((r) => setTimeout(r, 500));
  }
  const card = virtualCardImage();
  if (!card) throw new Error('keine Testkarte gefunden');
  const args = [path.join(root, 'bin/popp.mjs'), 'bridge', '--virtual-egk', card, '--origin', origin];
  console.log(`\nVirtuelle Kartenleser-Brücke (nur Entwicklung; abschalten mit POPP_VIRTUAL_BRIDGE=0): ${path.relative(root, card) || card}`);
  const p = spawn(process.execPath, args, { cwd: root, stdio: 'inherit', env: process.env });
  p.on('exit', (code) => {
    if (code) console.error('Virtuelle Brücke beendet – läuft schon eine Brücke (Port belegt)? Das Dashboard nutzt dann diese.');
  });
  return p;
}

function virtualCardImage() {
  const interop = process.env.POPP_INTEROP_DIR ?? path.resolve(root, '../shared/interop/gematik');
  const gematik = path.join(interop, 'card-image', 'IMG_eGK_G21_TU_root6.xml');
  if (existsSync(gematik)) return gematik;
  const dir = path.resolve(root, process.env.DATA_DIR ?? 'data', 'testpki');
  try {
    const index = JSON.parse(readFileSync(path.join(dir, 'trust.json'), 'utf8'));
    const valid = (index.cards ?? []).find((c) => c.state === 'valid');
    return valid ? path.join(dir, valid.file) : undefined;
  } catch {
    return undefined;
  }
}
