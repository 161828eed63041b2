import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * The development-only institution credential of the headless client (`popp card-check
 * --dev-credential`, env POPP_DEV_CREDENTIAL): sent as this header on the WebSocket
 * handshake, checked by the lead's `EhcDeps.authenticate` and refused there when
 * POPP_ENV=production. Machine access proper (SMC-B + DPoP) replaces it in its own issue.
 */
export const DEV_INSTITUTION_HEADER = 'x-popp-dev-institution';

/** The credential the service generated at first start (DATA_DIR/secrets), so `popp card-check` works on the same machine without flags. */
export function readDevCredential(dataDir = process.env.DATA_DIR ?? './data'): string | undefined {
  const f = path.join(dataDir, 'secrets', 'dev-credential.json');
  try {
    return existsSync(f) ? (JSON.parse(readFileSync(f, 'utf8')) as { credential?: string }).credential : undefined;
  } catch {
    return undefined;
  }
}
