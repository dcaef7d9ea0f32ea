/**
 * The registry's tables, in order: versions and aliases (models.ts), then the routing table and its
 * history (routing.ts), then the key of an alias move (aliases.ts). One owner, `registry`, so a kept schema migrates forward by id.
 */
import type { Migration } from '@mlops-lab/services';
import { aliasMoveKeyMigrations } from './aliases.ts';
import { registryMigrations as modelMigrations } from './models.ts';
import { routingMigrations } from './routing.ts';

export const registryMigrations: Migration[] = [
  ...modelMigrations,
  ...routingMigrations,
  ...aliasMoveKeyMigrations,
];

/** Applies the registry tables in the services' schema (idempotent). */
export async function migrateRegistry(services: {
  migrate(owner: string, m: Migration[]): Promise<void>;
}): Promise<void> {
  await services.migrate('registry', registryMigrations);
}
