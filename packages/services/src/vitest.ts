/**
 * The services of a test file, as one vitest fixture: acquired once before the file's tests (on
 * DATABASE_URL / REDIS_URL when set, else a throwaway embedded instance), with a per-run schema and
 * key prefix, optionally prepared (migrations, seed rows), and closed after the last test, even
 * when preparation failed. A test file writes `const services = testServices({...})` at the top and
 * uses `services.pg`, `services.key(...)` inside its tests, instead of its own beforeAll / afterAll.
 */
import { afterAll, beforeAll } from 'vitest';
import { acquire, type ServicesWithExtras } from './services.ts';
import type { ServiceNeed } from './types.ts';

export interface TestServicesOptions {
  needs: ServiceNeed[];
  /** Names the per-run schema and key prefix (`run_<namespace>_<id>`). */
  namespace: string;
  /** Runs once after acquisition, before the first test: migrations, seed rows. */
  prepare?: (services: ServicesWithExtras) => Promise<void>;
  /** For acquisition plus preparation; the embedded Postgres builds its template on a first start. */
  timeoutMs?: number;
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
      ephemeral: true,
      log: () => {},
    });
    await options.prepare?.(services);
  }, options.timeoutMs ?? 60_000);
  afterAll(async () => {
    await services?.close();
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
