/**
 * The services of a test file, as one vitest fixture: acquired once before the file's tests (on
 * DATABASE_URL / REDIS_URL when set, else a throwaway embedded instance), with a per-run schema and
 * key prefix, optionally prepared (migrations, seed rows), and closed after the last test, even
 * when preparation failed. A test file writes `const services = testServices({...})` at the top and
 * uses `services.pg`, `services.key(...)` inside its tests, instead of its own beforeAll / afterAll.
 * With `shared`, the names are fixed (acquire's keep) so that a child process can join them, and the
 * fixture drops the schema and keys itself before the close.
 */
import { afterAll, beforeAll } from 'vitest';
import { deleteByPrefix } from './redis.ts';
import { acquire, type ServicesWithExtras } from './services.ts';
import { quoteIdent } from './sql.ts';
import type { ServiceNeed } from './types.ts';

export { type TestChild, testChildren, until } from './test-children.ts';

export interface TestServicesOptions {
  needs: ServiceNeed[];
  /** Names the per-run schema and key prefix (`run_<namespace>_<id>`). */
  namespace: string;
  /** Runs once after acquisition, before the first test: migrations, seed rows. */
  prepare?: (services: ServicesWithExtras) => Promise<void>;
  /** For acquisition plus preparation; the embedded Postgres builds its template on a first start. */
  timeoutMs?: number;
  /**
   * Fixed names instead of per-run ones: schema `mlops_<namespace>`, key prefix `mlops:<namespace>:`
   * (acquire's keep), for a child process that joins them from the namespace alone. Give a namespace
   * unique to the run; unlike keep, the schema and keys are dropped after the last test.
   */
  shared?: boolean;
}

/** What close() leaves of a kept namespace: its schema and its keys. */
async function dropShared(services: ServicesWithExtras): Promise<void> {
  if (services.backends.postgres)
    await services.pg.query(`DROP SCHEMA IF EXISTS ${quoteIdent(services.schema)} CASCADE`);
  if (services.backends.redis) await deleteByPrefix(services.redis, services.keyPrefix);
}

/**
 * Registers the file's beforeAll / afterAll and returns the services as they will be inside tests:
 * a stand-in that forwards to the acquired instance (using it before beforeAll has run is an error).
 */
export function testServices(options: TestServicesOptions): ServicesWithExtras {
  let services: ServicesWithExtras | undefined;
  beforeAll(async () => {
    services = await acquire({
      needs: options.needs,
      namespace: options.namespace,
      keep: options.shared ?? false,
      ephemeral: true,
      log: () => {},
    });
    await options.prepare?.(services);
  }, options.timeoutMs ?? 60_000);
  afterAll(async () => {
    if (!services) return;
    try {
      if (options.shared) await dropShared(services);
    } finally {
      await services.close();
    }
  });
  const current = (): ServicesWithExtras => {
    if (!services) throw new Error(`testServices(${options.namespace}): used before its beforeAll ran`);
    return services;
  };
  return new Proxy({} as ServicesWithExtras, {
    get(_, prop) {
      const target = current();
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
