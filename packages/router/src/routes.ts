/**
 * Where the router's traffic weights come from (Q15, Q18): a table version -> weight with sticky
 * assignment of a request key to a version, from one of two sources: a static table (tests, labs) or
 * the registry's routing table. Following the registry's table (stored in Postgres, changes announced
 * through Redis, aliases re-resolved on a timer, the last good table kept when either store is away)
 * and the assignment itself (a hash of the key, so a user keeps their version while the table
 * holds) are the registry's routing core, which the model server uses too; what is left here is the
 * router's use of it: no version to load first, the weights per version, a count of failures.
 * Reference: Seldon Core 2 experiments (weighted candidates, sticky routes).
 */
import {
  assign,
  checkRoutingShape,
  type RegistrySourceOptions,
  RoutingFollower,
  type RoutingStore,
  registryTableSource,
} from '@mlops-lab/registry/routing';

/** version -> integer weight; weights sum to 100. */
export type VersionWeights = Record<string, number>;

export interface RouteSource {
  /** The weights in force, per version. */
  current(): VersionWeights;
  /** The version for one request: sticky by key (the same key, the same version while the table holds), random without. */
  pick(requestKey: string | null): string;
}

/** An in-process table; `set` validates and refuses a bad table, keeping the old one. */
export function staticRoutes(initial: VersionWeights): RouteSource & { set(weights: VersionWeights): void } {
  checkRoutingShape('static routes', initial);
  let weights = { ...initial };
  return {
    current: () => weights,
    pick: (requestKey) => assign(weights, requestKey),
    set(next) {
      checkRoutingShape('static routes', next);
      weights = { ...next };
    },
  };
}

export interface RegistryRoutes extends RouteSource {
  stop(): void;
  /** Read or resolve failures so far (the last good table stayed in force). */
  readonly errors: number;
}

/**
 * The registry's table for `model`: targets (versions or aliases) resolved to versions; `current()`
 * adds up the weights of targets naming the same version. Resolves once the first table is in force.
 */
export async function registryRoutes(
  services: RoutingStore,
  model: string,
  options: RegistrySourceOptions = {},
): Promise<RegistryRoutes> {
  let errors = 0;
  const follower = new RoutingFollower(registryTableSource(services, model, options), {
    failed: () => errors++,
  });
  try {
    await follower.start();
  } catch (error) {
    follower.stop();
    const why = error instanceof Error ? error.message : String(error);
    throw new Error(`no routing for ${model}: the table does not resolve in the registry (${why})`);
  }
  return {
    current: () => follower.weights,
    pick: (requestKey) => follower.pick(requestKey),
    stop: () => follower.stop(),
    get errors() {
      return errors;
    },
  };
}
