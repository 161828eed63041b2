import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * gematik's test material lives outside the repository (never committed):
 * POPP_INTEROP_DIR, else ../shared/interop/gematik next to the checkout.
 */
export const interopDir = process.env.POPP_INTEROP_DIR ?? path.resolve(repoRoot, '../shared/interop/gematik');

export function interopPath(...parts: string[]): string {
  return path.join(interopDir, ...parts);
}

/**
 * Whether the interop suites can run. Absent material skips them on a plain clone,
 * but fails in CI, where the material is present and every case must pass.
 */
export function interopAvailable(): boolean {
  const present = existsSync(path.join(interopDir, 'README.md'));
  if (!present && process.env.CI === 'true') {
    throw new Error(`gematik interop material missing at ${interopDir} (CI=true): set POPP_INTEROP_DIR`);
  }
  if (!present) console.warn(`[interop] skipped: gematik material not found at ${interopDir} (set POPP_INTEROP_DIR)`);
  return present;
}
