import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EHC_PATH, type EhcEndpoint } from './ws-endpoint';

/**
 * A bare HTTP server that routes upgrades on EHC_PATH to an endpoint, the way the
 * lead's one server does: for tests, the bench and `popp card-check` development runs.
 */
export async function serveEhc(endpoint: EhcEndpoint, port = 0): Promise<{ url: string; server: Server; stop(): Promise<void> }> {
  const server = createServer((_req, res) => {
    res.statusCode = 404;
    res.end();
  });
  server.on('upgrade', (req, socket, head) => {
    if (new URL(req.url ?? '/', 'http://x').pathname === EHC_PATH) endpoint.handleUpgrade(req, socket, head);
    else socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: p } = server.address() as AddressInfo;
  return {
    url: `ws://127.0.0.1:${p}${EHC_PATH}`,
    server,
    async stop() {
      await endpoint.close();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
