/**
 * The registry the router's registry-backed tests read (champion.test.ts, routes.test.ts): a
 * migrated registry holding model `m` at versions 1 and 2, with made-up hashes and data references.
 * A test sets the aliases and routing it is about itself.
 */
import { migrateRegistry, registerModel } from '@mlops-lab/registry';
import type { ServicesWithExtras } from '@mlops-lab/services';

/** For `testServices({ prepare })`: migrates the registry and registers `m` v1 and v2. */
export async function registerTwoVersions(s: ServicesWithExtras): Promise<void> {
  await migrateRegistry(s);
  for (const v of [1, 2]) {
    await registerModel(s.pg, { name: 'm', version: v, hash: String(v).repeat(64), dataRef: `test ${v}` });
  }
}
