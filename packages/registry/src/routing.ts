/**
 * Traffic routing as configuration, not code (Q18): a table `target -> weight` where a target is a
 * version (`"3"`) or an alias (`"champion"`). The table and every change to it (revision, from, to,
 * who, why) live in Postgres, so a Redis restart can never drop a canary; Redis carries only a
 * change notice (the table's revision at `key('routing:<model>')`) that lets servers react within
 * a poll. Writes are validated first (weights sum to 100, every target resolves in the registry); an
 * invalid table is refused and the stored one stays in force. Servers follow the table with
 * `watchRouting` (routing-watch.ts), keep it in force with `RoutingFollower` (routing-follow.ts) and
 * assign requests by it with `assign` (routing-assign.ts).
 * Reference: KServe / Seldon canary traffic percentages, Argo Rollouts weights; the history is the
 * same audit trail as the registry's alias history (MLflow).
 */
import { userInfo } from 'node:os';
import { inTransaction, type Queryable } from '@mlops-lab/services/sql';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { resolve } from './aliases.ts';
import { RegistryError } from './errors.ts';

/** target (version number as text, or alias) -> integer weight; weights sum to 100. */
export type RoutingConfig = Record<string, number>;

/** How long a write waits for Redis to take the change notice. */
const NOTICE_TIMEOUT_MS = 1000;

/** What routing needs from `@mlops-lab/services` (a `Services` object satisfies it). */
export interface RoutingStore {
  pg: Pick<pg.Pool, 'query' | 'connect'>;
  redis: Redis;
  key(name: string): string;
}

export const routingMigrations = [
  {
    id: '002_routing',
    sql: `
      CREATE TABLE registry_routing (
        name text PRIMARY KEY,
        config jsonb NOT NULL,
        revision bigint NOT NULL CHECK (revision > 0),
        updated_at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE TABLE registry_routing_history (
        name text NOT NULL,
        revision bigint NOT NULL,
        from_config jsonb,
        to_config jsonb NOT NULL,
        reason text NOT NULL,
        changed_by text NOT NULL,
        changed_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (name, revision)
      );`,
  },
];

/** Where the change notice (the table's revision) lives in Redis. */
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
export async function validateRouting(pool: Queryable, model: string, config: RoutingConfig): Promise<void> {
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

export interface RoutingChangeInput {
  /** Why the weights moved; it is the audit trail (default: "no reason given"). */
  reason?: string;
  /** Who moved them (default: the OS user running the process). */
  by?: string;
}

export interface RoutingChange {
  model: string;
  revision: number;
  from: RoutingConfig | null;
  to: RoutingConfig;
  reason: string;
  by: string;
  changedAt: Date;
}

export interface SetRoutingResult extends RoutingChange {
  /** false when Redis did not take the notice: servers then see the change at their next table read. */
  notified: boolean;
}

function defaultUser(): string {
  try {
    return userInfo().username;
  } catch {
    return process.env.USER ?? 'unknown';
  }
}

/**
 * Validates, then stores the table and its history row in one transaction, then tells servers
 * through Redis. On a validation error nothing is written. A Redis failure after the commit does
 * not undo it: the table is durable, and servers re-read Postgres on a timer (`notified: false`).
 */
export async function setRouting(
  store: RoutingStore,
  model: string,
  config: RoutingConfig,
  change: RoutingChangeInput = {},
): Promise<SetRoutingResult> {
  await validateRouting(store.pg, model, config);
  const reason = change.reason?.trim() || 'no reason given';
  const by = change.by?.trim() || defaultUser();
  const row = await inTransaction(store.pg, async (client): Promise<RoutingChange> => {
    // The row lock orders concurrent writers: each sees the table the previous one committed.
    const prev = await client.query<{ config: RoutingConfig; revision: string }>(
      'SELECT config, revision FROM registry_routing WHERE name = $1 FOR UPDATE',
      [model],
    );
    const from = prev.rows[0]?.config ?? null;
    const revision = prev.rows.length === 0 ? 1 : Number(prev.rows[0].revision) + 1;
    await client.query(
      `INSERT INTO registry_routing (name, config, revision) VALUES ($1, $2::jsonb, $3)
       ON CONFLICT (name) DO UPDATE SET config = EXCLUDED.config, revision = EXCLUDED.revision,
         updated_at = clock_timestamp()`,
      [model, JSON.stringify(config), revision],
    );
    const h = await client.query<{ changed_at: Date }>(
      `INSERT INTO registry_routing_history (name, revision, from_config, to_config, reason, changed_by)
       VALUES ($1, $2, $3::jsonb, $4::jsonb, $5, $6) RETURNING changed_at`,
      [model, revision, from === null ? null : JSON.stringify(from), JSON.stringify(config), reason, by],
    );
    return { model, revision, from, to: config, reason, by, changedAt: h.rows[0].changed_at };
  });
  // Bounded: with Redis away, a client with an offline queue would hold the caller for its whole
  // retry budget. A notice that lands late is harmless: it only makes servers re-read the table.
  let timer: NodeJS.Timeout | undefined;
  const notified = await Promise.race([
    store.redis.set(routingKey(store, model), String(row.revision)).then(
      () => true,
      () => false,
    ),
    new Promise<boolean>((r) => {
      timer = setTimeout(() => r(false), NOTICE_TIMEOUT_MS);
    }),
  ]);
  clearTimeout(timer);
  return { ...row, notified };
}

export interface StoredRouting {
  config: RoutingConfig;
  revision: number;
  updatedAt: Date;
}

/** The stored table with its revision, or null when none is set. */
export async function readRouting(pool: Queryable, model: string): Promise<StoredRouting | null> {
  const { rows } = await pool.query<{ config: RoutingConfig; revision: string; updated_at: Date }>(
    'SELECT config, revision, updated_at FROM registry_routing WHERE name = $1',
    [model],
  );
  if (rows.length === 0) return null;
  checkRoutingShape(model, rows[0].config); // a hand-edited row must not take servers down with it
  return { config: rows[0].config, revision: Number(rows[0].revision), updatedAt: rows[0].updated_at };
}

/** The stored table, or null when none is set. */
export async function getRouting(
  store: Pick<RoutingStore, 'pg'>,
  model: string,
): Promise<RoutingConfig | null> {
  return (await readRouting(store.pg, model))?.config ?? null;
}

/** Every change of the model's table, oldest first. */
export async function routingHistory(pool: Queryable, model: string): Promise<RoutingChange[]> {
  const { rows } = await pool.query<{
    revision: string;
    from_config: RoutingConfig | null;
    to_config: RoutingConfig;
    reason: string;
    changed_by: string;
    changed_at: Date;
  }>(
    `SELECT revision, from_config, to_config, reason, changed_by, changed_at
     FROM registry_routing_history WHERE name = $1 ORDER BY revision`,
    [model],
  );
  return rows.map((r) => ({
    model,
    revision: Number(r.revision),
    from: r.from_config,
    to: r.to_config,
    reason: r.reason,
    by: r.changed_by,
    changedAt: r.changed_at,
  }));
}
