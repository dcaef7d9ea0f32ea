/**
 * Traffic routing as configuration, not code (Q18): a table `target -> weight` where a target is a
 * version (`"3"`) or an alias (`"champion"`), stored as JSON in Redis under `key('routing:<model>')`.
 * Writes are validated first (weights sum to 100, every target resolves in the registry) and an
 * invalid table is refused while the stored one stays in force. Servers watch the key by polling,
 * which also survives a Redis outage: on a failed read they keep the last good table.
 * Reference: KServe / Seldon canary traffic percentages; Argo Rollouts weights.
 */
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { RegistryError } from './errors.ts';
import { resolve } from './models.ts';

/** target (version number as text, or alias) -> integer weight; weights sum to 100. */
export type RoutingConfig = Record<string, number>;

/** What routing needs from `@mlops-lab/services` (a `Services` object satisfies it). */
export interface RoutingStore {
  redis: Redis;
  key(name: string): string;
}

export interface WatchOptions {
  /** Poll period in ms (default 250). */
  intervalMs?: number;
  /** Called when a read fails (e.g. Redis down); the last good config stays in force. */
  onError?: (error: unknown) => void;
}

export function routingKey(store: Pick<RoutingStore, 'key'>, model: string): string {
  return store.key(`routing:${model}`);
}

/** Shape checks that need no database: non-empty, integer weights 0..100 that sum to 100. */
export function checkRoutingShape(model: string, config: RoutingConfig): void {
  const entries = Object.entries(config);
  if (entries.length === 0) throw new RegistryError('bad-routing', `routing for ${model} is empty`);
  let sum = 0;
  for (const [target, w] of entries) {
    if (!Number.isInteger(w) || w < 0 || w > 100) {
      throw new RegistryError(
        'bad-routing',
        `routing for ${model}: weight of "${target}" must be an integer 0..100`,
      );
    }
    sum += w;
  }
  if (sum !== 100)
    throw new RegistryError('bad-routing', `routing for ${model}: weights sum to ${sum}, not 100`);
}

/** Full validation: shape plus every target resolving to a registered version now. */
export async function validateRouting(
  pool: Pick<pg.Pool, 'query'>,
  model: string,
  config: RoutingConfig,
): Promise<void> {
  checkRoutingShape(model, config);
  for (const target of Object.keys(config)) {
    try {
      await resolve(pool, `${model}@${target}`);
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new RegistryError(
        'bad-routing',
        `routing for ${model}: target "${target}" does not resolve (${why})`,
      );
    }
  }
}

/** Validates, then stores the table; on any error nothing is written and the old table stays. */
export async function setRouting(
  store: RoutingStore & { pg: Pick<pg.Pool, 'query'> },
  model: string,
  config: RoutingConfig,
): Promise<void> {
  await validateRouting(store.pg, model, config);
  await store.redis.set(routingKey(store, model), JSON.stringify(config));
}

function parse(model: string, raw: string): RoutingConfig {
  const value = JSON.parse(raw) as RoutingConfig;
  checkRoutingShape(model, value); // a hand-edited key must not take servers down with it
  return value;
}

/** The stored table, or null when none is set. */
export async function getRouting(store: RoutingStore, model: string): Promise<RoutingConfig | null> {
  const raw = await store.redis.get(routingKey(store, model));
  return raw === null ? null : parse(model, raw);
}

/**
 * Calls `onChange` with the current table and again whenever it changes; returns an unsubscribe.
 * A read failure or an unparsable value is reported to `onError` and does not replace the last good table.
 */
export function watchRouting(
  store: RoutingStore,
  model: string,
  onChange: (config: RoutingConfig | null) => void,
  options: WatchOptions = {},
): () => void {
  let last: string | null | undefined;
  let stopped = false;
  let busy = false;
  const poll = async (): Promise<void> => {
    if (busy || stopped) return;
    busy = true;
    try {
      const raw = await store.redis.get(routingKey(store, model));
      if (!stopped && raw !== last) {
        const config = raw === null ? null : parse(model, raw);
        last = raw;
        onChange(config);
      }
    } catch (error) {
      options.onError?.(error);
    } finally {
      busy = false;
    }
  };
  void poll();
  const timer = setInterval(() => void poll(), options.intervalMs ?? 250);
  timer.unref();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

/** Picks a target for a uniform draw `u` in [0, 1): cumulative weights in a stable (sorted) order. */
export function chooseTarget(config: RoutingConfig, u: number): string {
  const targets = Object.keys(config).sort();
  let acc = 0;
  for (const t of targets) {
    acc += config[t] / 100;
    if (u < acc) return t;
  }
  return targets[targets.length - 1];
}
