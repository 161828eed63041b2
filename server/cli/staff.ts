/**
 * `popp staff invite [--admin]`: a new one-time setup link, straight from the database.
 * The way back in when the only passkey is lost, a setup link expired, or PUBLIC_URL
 * changed (passkeys are bound to the host name they were made for).
 */
import { parseArgs } from 'node:util';
import { loadEnv } from '../config/env';
import { createSetupLink, ensurePractice } from '../practice/seed';
import { openStore } from '../store/db';

const texts = {
  de: {
    usage: 'Aufruf: popp staff invite [--admin]\n  Erzeugt einen einmaligen Einrichtungslink für einen Praxis-Zugang (Passkey).\n  --admin   mit Administratorrechten (darf weitere einladen)',
    link: (h: number) => `Einrichtungslink (einmalig, ${h} Stunden gültig):`,
    hint: 'Der Link muss mit derselben Adresse (PUBLIC_URL) geöffnet werden, unter der der Dienst läuft.',
  },
  en: {
    usage: 'Usage: popp staff invite [--admin]\n  Creates a one-time setup link for a practice account (passkey).\n  --admin   with administrator rights (may invite others)',
    link: (h: number) => `Setup link (single use, valid ${h} hours):`,
    hint: 'Open it at the same address (PUBLIC_URL) the service runs at.',
  },
};

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { admin: { type: 'boolean' }, lang: { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  const t = texts[(values.lang ?? process.env.POPP_LANG) === 'en' ? 'en' : 'de'];
  if (values.help || positionals[0] !== 'invite') {
    console.log(t.usage);
    return values.help ? 0 : 2;
  }
  const env = loadEnv();
  const db = await openStore({ dataDir: env.dataDir, databaseUrl: env.DATABASE_URL });
  try {
    const practiceId = await ensurePractice(db, { name: env.DEMO_PRACTICE_NAME, telematikId: env.DEMO_PRACTICE_TELEMATIK_ID, professionOid: env.DEMO_PRACTICE_PROFESSION_OID }, Date.now());
    const url = await createSetupLink(db, practiceId, env.PUBLIC_URL, Date.now(), env.SETUP_LINK_HOURS, values.admin ? 'admin' : 'staff');
    console.log(`${t.link(env.SETUP_LINK_HOURS)}\n  ${url}\n${t.hint}`);
    return 0;
  } finally {
    await db.destroy();
  }
}
