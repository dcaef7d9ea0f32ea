/**
 * The `Services` a lab gets when it declares `needs: []` (ARCHITECTURE.md "Services"): the runner does
 * not call `acquire` at all, so a pure-compute lab starts instantly and never touches Docker,
 * PGlite or redis-server. Using a connection anyway is a bug in the lab's `needs`, reported as such.
 */
import type { Services } from '@mlops-lab/services';

export function noServices(namespace: string): Services {
  const undeclared = (what: string): never => {
    throw new Error(
      `lab "${namespace}" uses services.${what} but declares needs: []; add the service to its needs`,
    );
  };
  const keyPrefix = `run:${namespace}:`;
  return {
    get pg() {
      return undeclared('pg');
    },
    get redis() {
      return undeclared('redis');
    },
    schema: '',
    keyPrefix,
    key: (name) => `${keyPrefix}${name}`,
    backends: {},
    migrate: async () => undeclared('migrate'),
    close: async () => {},
  };
}
