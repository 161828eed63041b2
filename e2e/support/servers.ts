import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const stateDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '.state');
export const serversFile = path.join(stateDir, 'servers.json');

export interface TestServer {
  name: 'main' | 'short';
  url: string;
  setupLink: string;
  dataDir: string;
  ttlSeconds: number;
  /** Where this server's dashboard looks for `popp bridge` (POPP_BRIDGE_PORT); nothing listens unless a spec starts a bridge. */
  bridgePort: number;
}

export function servers(): Record<TestServer['name'], TestServer> {
  return JSON.parse(readFileSync(serversFile, 'utf8'));
}

export const staffStateFile = (name: string) => path.join(stateDir, `staff-${name}.json`);
export const credentialFile = (name: string) => path.join(stateDir, `passkey-${name}.json`);
