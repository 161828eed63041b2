import Database from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { describe, expect, it } from 'vitest';
import { interopAvailable } from '../testing/interop';
import { hashDbMigration, type HashDbTables } from './hashdb/schema';
import { createTrust, gematikTestTrustOptions } from './setup';
import { cardImageFile } from './testing/fixtures';

const NOW = new Date('2026-03-01T12:00:00Z');

describe('createTrust', () => {
  it('refuses incomplete or production-unsafe options', async () => {
    await expect(createTrust({ env: 'test', tsl: { signerSha256: [] }, rootsFile: 'x' } as never, { hashDb: null })).rejects.toMatchObject({ code: 'CONFIG_INVALID' });
    await expect(createTrust({ env: 'production', tsl: { file: 'x', signerSha256: ['a'.repeat(64)] }, rootsFile: 'x' }, { hashDb: null })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
    });
  });

  it.skipIf(!interopAvailable())("wires gematik's test material: the sample card validates to GEM.RCA5 and is stored ad hoc", async () => {
    const db = new Kysely<HashDbTables>({ dialect: new SqliteDialect({ database: new Database(':memory:') }) });
    await hashDbMigration.up(db);
    const { decision, store } = await createTrust(gematikTestTrustOptions('test'), { hashDb: db, now: () => NOW });
    try {
      const r = await decision.validateChAut(cardImageFile('EF.C.CH.AUT.E256'), { cardCvc: cardImageFile('EF.C.eGK.AUT_CVC.E256'), now: NOW });
      expect(r).toMatchObject({ root: { name: 'GEM.RCA5 TEST-ONLY' }, ocsp: { source: 'offline-policy' }, hashDb: 'ad-hoc' });
    } finally {
      store?.stop();
      await db.destroy();
    }
  });
});
