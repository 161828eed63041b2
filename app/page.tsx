import { connection } from 'next/server';
import { Dashboard } from '../client/components/Dashboard';

export default async function Page() {
  // Read at request time, from the server process's environment (the same one the service checked).
  await connection();
  const port = process.env.POPP_BRIDGE_PORT;
  const readers = {
    virtualReader: process.env.POPP_ENV !== 'production',
    bridgeUrl: port && /^\d{1,5}$/.test(port) ? `ws://127.0.0.1:${port}` : undefined,
  };
  return <Dashboard readers={readers} />;
}
