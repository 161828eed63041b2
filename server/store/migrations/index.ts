import type { Migration } from 'kysely';
import { hashDbMigration } from '../../trust/hashdb/schema';
import * as core from './0001_core';

/**
 * Every migration, in order. Domain folders that own tables export their own
 * migration object and are listed here; names sort by their numeric prefix.
 */
export const migrations: Record<string, Migration> = {
  '0001_core': core,
  [hashDbMigration.name]: hashDbMigration,
};
