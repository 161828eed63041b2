/**
 * `popp <command>`: each command lives in its own module and is loaded only when
 * called, so `popp verify` does not pay for the card stack and vice versa.
 */
type Command = { summary: string; load: () => Promise<{ run(args: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  verify: { summary: 'PoPP-Token prüfen (stdin oder Datei)', load: () => import('./verify') },
  'card-check': { summary: 'eGK-Check-in headless gegen einen PoPP-Service', load: () => import('./card-check') },
  bridge: { summary: 'Lokale PC/SC-Brücke für das Praxis-Dashboard', load: () => import('./bridge') },
  hashdb: { summary: 'eGK-Hash-Datenbank importieren/entfernen', load: () => import('./hashdb') },
  staff: { summary: 'Praxis-Zugang: neuen Einrichtungslink erzeugen', load: () => import('./staff') },
  testpki: { summary: 'Test-PKI und Software-eGKs erzeugen', load: () => import('./testpki') },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(12)} ${c.summary}`);
  return ['Aufruf: popp <Befehl> [Optionen]', '', 'Befehle:', ...lines, '', 'popp <Befehl> --help zeigt die Optionen.'].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`Unbekannter Befehl: ${name}\n\n${usage()}`);
    return 2;
  }
  const mod = await command.load();
  return mod.run(rest);
}
