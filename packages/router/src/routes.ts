/**
 * Where the router's traffic weights come from (Q15, Q18): a table version -> weight, sticky
 * assignment of a request key to a version, and two sources: a static table (tests, labs) and the
 * registry's routing table (stored in Postgres, changes announced through Redis) with aliases
 * resolved in Postgres, followed while running and kept at its last good value when either store is
 * away. Assignment hashes the request key
 * (`stickyDraw` of the model server), so a user keeps their version while the table holds.
 * Reference: Seldon Core 2 experiments (weighted candidates, sticky routes).
 */
import { stickyDraw } from '@mlops-lab/model-server';
import {
  checkRoutingShape,
  chooseTarget,
  type RoutingConfig,
  resolve,
  watchRouting,
} from '@mlops-lab/registry';
import type { Services } from '@mlops-lab/services';

/** version -> integer weight; weights sum to 100. */
export type VersionWeights = Record<string, number>;

export interface RouteSource {
  current(): VersionWeights;
}

/** Sticky by key (the same key, the same version while the table holds); random without a key. */
export function assign(weights: VersionWeights, requestKey: string | null, nonSticky = false): string {
  const u = requestKey && !nonSticky ? stickyDraw(requestKey) : Math.random();
  return chooseTarget(weights, u);
}

/** An in-process table; `set` validates and refuses a bad table, keeping the old one. */
export function staticRoutes(initial: VersionWeights): RouteSource & { set(weights: VersionWeights): void } {
  checkRoutingShape('static routes', initial);
  let weights = { ...initial };
  return {
    current: () => weights,
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
 * The registry's table for `model`: targets (versions or aliases) resolved to versions, weights of
 * targets naming the same version added up. Resolves once the first table is known.
 */
export async function registryRoutes(
  services: Pick<Services, 'pg' | 'redis' | 'key'>,
  model: string,
  options: { pollMs?: number; tableEveryMs?: number; resolveEveryMs?: number; fallback?: RoutingConfig } = {},
): Promise<RegistryRoutes> {
  let config: RoutingConfig = options.fallback ?? { champion: 100 };
  let weights: VersionWeights | undefined;
  let errors = 0;
  const toVersions = async (table: RoutingConfig): Promise<VersionWeights> => {
    const out: VersionWeights = {};
    for (const [target, w] of Object.entries(table)) {
      const v = String((await resolve(services.pg, `${model}@${target}`)).version);
      out[v] = (out[v] ?? 0) + w;
    }
    return out;
  };
  // One refresh at a time, each reading the table as it is when it starts: a slow refresh of an old
  // table can never land after (and overwrite) the refresh of a newer one.
  let chain: Promise<void> = Promise.resolve();
  const refresh = (): Promise<void> => {
    chain = chain.then(async () => {
      try {
        weights = await toVersions(config);
      } catch {
        errors++; // Postgres away or a target gone: keep the weights in force
      }
    });
    return chain;
  };
  let first!: () => void;
  const firstTable = new Promise<void>((r) => {
    first = r;
  });
  const watch = watchRouting(
    services,
    model,
    (table) => {
      config = table ?? options.fallback ?? { champion: 100 };
      void refresh().then(first);
    },
    { intervalMs: options.pollMs ?? 250, tableEveryMs: options.tableEveryMs, onError: () => errors++ },
  );
  const timer = setInterval(() => void refresh(), options.resolveEveryMs ?? 1000);
  timer.unref();
  await firstTable;
  if (!weights) {
    watch.stop();
    clearInterval(timer);
    throw new Error(`no routing for ${model}: ${JSON.stringify(config)} does not resolve in the registry`);
  }
  return {
    current: () => weights!,
    stop() {
      watch.stop();
      clearInterval(timer);
    },
    get errors() {
      return errors;
    },
  };
}
