/**
 * The only listener: Next.js pages, tRPC, the test IdP, key publication and the
 * eGK WebSocket endpoint share one Node process and one port (see docs/architecture.md).
 */
import { createServer } from 'node:http';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import next from 'next';
import { ConfigError, loadEnv } from './config/env';
import { createApp } from './app/create';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

async function main() {
  // Keys, secrets and the database (KVNRs, tokens) are readable by this user only.
  process.umask(0o077);
  let env;
  try {
    env = loadEnv();
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(e.message);
      process.exit(2);
    }
    throw e;
  }
  const dev = process.argv.includes('--dev');
  const app = await createApp(env);
  const nextApp = next({ dev, dir: root, hostname: env.HOST, port: env.PORT });
  await nextApp.prepare();
  const nextHandler = nextApp.getRequestHandler();
  const nextUpgrade = nextApp.getUpgradeHandler();

  const server = createServer((req, res) => {
    // A body still streaming after we answered (401 before an upload, 413) is not read to its end.
    res.on('finish', () => {
      if (!req.complete) req.destroy();
    });
    app
      .handle(req, res)
      .then((handled) => (handled ? undefined : nextHandler(req, res)))
      .catch((e: Error) => {
        console.error('[http] Fehler:', e.message);
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'text/plain; charset=utf-8' });
        res.end('Interner Fehler');
      });
  });
  server.on('upgrade', (req, socket, head) => {
    if (app.upgrade(req, socket, head)) return;
    if (dev) return void nextUpgrade(req, socket, head);
    socket.destroy();
  });
  await new Promise<void>((resolve) => {
    server.once('error', (e: NodeJS.ErrnoException) => {
      console.error(
        e.code === 'EADDRINUSE'
          ? `Port ${env.PORT} auf ${env.HOST} ist schon belegt (läuft PoPP bereits?). Anderen Port wählen, z. B. PORT=${env.PORT + 1} npm start`
          : `Server konnte nicht starten: ${e.message}`,
      );
      process.exit(1);
    });
    server.listen(env.PORT, env.HOST, resolve);
  });

  const lines = [
    '',
    `PoPP läuft (${env.production ? 'Produktion' : 'Entwicklung'}):`,
    `  Praxis-Dashboard:      ${env.PUBLIC_URL}/`,
    `  Online-Check-in-Links: ${env.PUBLIC_URL}/c/<Code>`,
    env.TEST_IDP && !env.production ? `  Test-GesundheitsID:    ${env.oidcIssuer}/.well-known/openid-configuration` : null,
    `  Schlüssel (JWKS):      ${env.PUBLIC_URL}/jwks.json`,
    `  eGK-WebSocket:         ${env.PUBLIC_URL.replace(/^http/, 'ws')}/popp/practitioner/api/v1/token-generation-ehc`,
    `  Daten:                 ${env.dataDir}`,
    app.devCredential
      ? `\neGK-Check-in ohne Kartenleser (Software-eGK, Testumgebung):\n  ${env.dataDir !== path.resolve('data') ? `DATA_DIR=${env.dataDir} ` : ''}npx popp card-check --card generated${env.PORT !== 3000 || env.HOST !== 'localhost' ? ` --url ws://${env.HOST}:${env.PORT}` : ''}`
      : null,
    app.setupLink ? `\nErsten Praxis-Zugang einrichten (einmalig gültig):\n  SETUP-LINK: ${app.setupLink}` : null,
    '',
  ].filter((l) => l !== null);
  console.log(lines.join('\n'));

  const stop = async () => {
    server.close();
    await app.close();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((e: Error) => {
  console.error('Start fehlgeschlagen:', e.message);
  process.exit(1);
});
