#!/usr/bin/env node
// `npm test`: checks the machine's prerequisites (installs them when run as root),
// then type-checks, runs the unit tests and the Playwright e2e tests.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

const debianPackages = { chromium: '/usr/bin/chromium', pcscd: '/usr/sbin/pcscd', 'vsmartcard-vpcd': '/usr/lib/pcsc/drivers/serial/libifdvpcd.so', 'libpcsclite-dev': '/usr/include/PCSC/winscard.h' };
const hasInitdb = () => existsSync('/usr/lib/postgresql') && readdirSync('/usr/lib/postgresql').some((v) => existsSync(`/usr/lib/postgresql/${v}/bin/initdb`));
const missing = Object.entries(debianPackages).filter(([, f]) => !existsSync(f)).map(([p]) => p);
// PostgreSQL runs the store tests a second time against a real server (SQLite is the default).
if (!hasInitdb()) missing.push('postgresql');
if (missing.length) {
  const cmd = `apt-get update && apt-get install -y ${missing.join(' ')}`;
  if (process.getuid?.() === 0) {
    console.log(`Installiere fehlende Debian-Pakete: ${missing.join(', ')}`);
    const r = spawnSync('sh', ['-c', `${cmd} > /tmp/popp-apt.log 2>&1`], { stdio: 'inherit', env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
    if (r.status !== 0) {
      console.error('Installation fehlgeschlagen, siehe /tmp/popp-apt.log');
      process.exit(1);
    }
  } else {
    console.error(`Es fehlen Debian-Pakete (${missing.join(', ')}). Bitte einmal ausführen:\n  sudo sh -c '${cmd}'`);
    process.exit(1);
  }
}

// Not test-results/: Playwright empties that folder when it starts.
const reports = path.join(root, 'test-reports');
mkdirSync(reports, { recursive: true });
const vitestJson = path.join(reports, 'vitest.json');
const playwrightJson = path.join(reports, 'playwright.json');
rmSync(vitestJson, { force: true });
rmSync(playwrightJson, { force: true });

const steps = [
  ['Typprüfung', 'npx', ['tsc', '--noEmit', '-p', '.']],
  ['Unit- und Integrationstests', 'npx', ['vitest', 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${vitestJson}`]],
  ['End-to-End-Tests (Playwright, Chromium)', 'npx', ['playwright', 'test']],
];
let failedStep = null;
for (const [name, cmd, args] of steps) {
  console.log(`\n=== ${name} ===`);
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1', } });
  if (r.status !== 0) {
    console.error(`\n${name} fehlgeschlagen.`);
    failedStep = r.status ?? 1;
    break;
  }
}

// One closing line over both runners, in the plain form CI reads.
const count = { passed: 0, failed: 0, skipped: 0 };
if (existsSync(vitestJson)) {
  const v = JSON.parse(readFileSync(vitestJson, 'utf8'));
  count.passed += v.numPassedTests ?? 0;
  count.failed += v.numFailedTests ?? 0;
  count.skipped += (v.numPendingTests ?? 0) + (v.numTodoTests ?? 0);
}
if (existsSync(playwrightJson)) {
  const s = JSON.parse(readFileSync(playwrightJson, 'utf8')).stats ?? {};
  count.passed += (s.expected ?? 0) + (s.flaky ?? 0);
  count.failed += s.unexpected ?? 0;
  count.skipped += s.skipped ?? 0;
}
if (failedStep !== null && count.failed === 0) count.failed = 1;
console.log(`\ntests: ${count.passed} passed, ${count.failed} failed, ${count.skipped} skipped`);
process.exit(failedStep ?? (count.failed > 0 ? 1 : 0));
