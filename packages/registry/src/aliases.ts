/**
 * Aliases in Postgres (Q18): an alias (`champion`, `challenger`, any name) is a movable pointer to a
 * version of a model (models.ts), and every move is appended to a history table (when, from which
 * version, to which, why), so "which version served when" is answerable after the fact. A reference
 * `name@champion` or `name@3` resolves through them to the version it means now.
 * Reference: MLflow Model Registry (aliases replacing stages).
 */
import { inTransaction, type Queryable } from '@mlops-lab/services/sql';
import type pg from 'pg';
import { RegistryError } from './errors.ts';
import {
  ALIAS,
  checkAlias,
  checkModelName,
  checkReason,
  checkVersion,
  parseVersion,
  shown,
} from './input.ts';
import { getVersion, type ModelVersion } from './models.ts';

/**
 * Applied after the routing tables: the key of an alias move, so a move made on behalf of one run
 * (a scheduled retraining, say) is recorded at most once however often that run is retried.
 */
export const aliasMoveKeyMigrations = [
  {
    id: '003_alias_move_key',
    sql: `
      ALTER TABLE registry_alias_history ADD COLUMN move_key text;
      CREATE UNIQUE INDEX registry_alias_history_move_key
        ON registry_alias_history (name, alias, move_key) WHERE move_key IS NOT NULL;`,
  },
];

export interface AliasChange {
  name: string;
  alias: string;
  fromVersion: number | null;
  toVersion: number;
  reason: string;
  changedAt: Date;
}

export interface ModelRef {
  name: string;
  version?: number;
  alias?: string;
}

/**
 * The first recorded metric that is not a finite number, if any. NaN, Infinity and undefined are all
 * stored as null (JSON has no such numbers): what a holdout with one class leaves for its AUC.
 */
export function nonFiniteMetric(metrics: Record<string, unknown>): string | undefined {
  return Object.keys(metrics).find((k) => typeof metrics[k] !== 'number' || !Number.isFinite(metrics[k]));
}

/**
 * Refuses (RegistryError 'bad-metrics') to make `target` the champion when one of its recorded metrics
 * is not finite: a model whose AUC could not be measured was never shown to be good enough to serve.
 */
function checkChampion(alias: string, target: ModelVersion): void {
  const bad = alias === 'champion' ? nonFiniteMetric(target.metrics) : undefined;
  if (bad !== undefined) {
    throw new RegistryError(
      'bad-metrics',
      `${target.name}@${target.version} cannot become champion: its ${bad} is not a finite number ` +
        `(recorded ${target.metrics[bad]}; a holdout with one class has no AUC)`,
    );
  }
}

/** `name@3` -> version 3, `name@champion` -> alias champion. A bare name is refused: be explicit. */
export function parseRef(ref: string): ModelRef {
  const at = ref.lastIndexOf('@');
  const name = ref.slice(0, at);
  const tail = ref.slice(at + 1);
  if (at <= 0 || tail === '') {
    throw new RegistryError(
      'bad-ref',
      `model reference ${shown(ref)} must look like name@<version> or name@<alias>`,
    );
  }
  checkModelName(name, 'bad-ref');
  if (/^\d+$/.test(tail)) return { name, version: parseVersion(tail, 'bad-ref') };
  if (!ALIAS.test(tail))
    throw new RegistryError('bad-ref', `${shown(tail)} in ${shown(ref)} is neither a version nor an alias`);
  checkAlias(tail, 'bad-ref');
  return { name, alias: tail };
}

/** The version an alias points at, or null when the alias is not set. */
export async function getAlias(pool: Queryable, name: string, alias: string): Promise<number | null> {
  checkModelName(name);
  checkAlias(alias);
  const { rows } = await pool.query<{ version: number }>(
    'SELECT version FROM registry_aliases WHERE name = $1 AND alias = $2',
    [name, alias],
  );
  return rows.length === 0 ? null : rows[0].version;
}

/** Every alias of a model, by version (each version's aliases sorted by name). */
export async function listAliases(pool: Queryable, name: string): Promise<Map<number, string[]>> {
  checkModelName(name);
  const { rows } = await pool.query<{ alias: string; version: number }>(
    'SELECT alias, version FROM registry_aliases WHERE name = $1 ORDER BY alias',
    [name],
  );
  const byVersion = new Map<number, string[]>();
  for (const r of rows) byVersion.set(r.version, [...(byVersion.get(r.version) ?? []), r.alias]);
  return byVersion;
}

/**
 * Points `alias` at `version` and appends the move to the history, in one transaction so the pointer
 * and its history never disagree. Rollback is just another move (to the previous version).
 * `champion` is refused for a version with a non-finite recorded metric (checkChampion).
 */
export async function setAlias(
  pool: pg.Pool,
  name: string,
  alias: string,
  version: number,
  reason: string,
): Promise<AliasChange> {
  checkModelName(name);
  checkAlias(alias);
  checkVersion(version);
  checkReason(reason);
  return inTransaction(pool, async (client) => {
    checkChampion(alias, await getVersion(client, name, version));
    const { rows } = await client.query<{ version: number }>(
      'SELECT version FROM registry_aliases WHERE name = $1 AND alias = $2 FOR UPDATE',
      [name, alias],
    );
    const from = rows.length === 0 ? null : rows[0].version;
    await client.query(
      `INSERT INTO registry_aliases (name, alias, version) VALUES ($1, $2, $3)
       ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = now()`,
      [name, alias, version],
    );
    const h = await client.query<{ changed_at: Date }>(
      `INSERT INTO registry_alias_history (name, alias, from_version, to_version, reason)
       VALUES ($1, $2, $3, $4, $5) RETURNING changed_at`,
      [name, alias, from, version, reason],
    );
    return { name, alias, fromVersion: from, toVersion: version, reason, changedAt: h.rows[0].changed_at };
  });
}

/** What a compare-and-set of an alias did. */
export interface AliasSwap {
  /**
   * `moved`: the alias was at `expected` and now points at `version`; `already`: a move with this key
   * was recorded before (nothing written: a retry of the same run); `conflict`: the alias is at
   * another version than `expected` (nothing written).
   */
  outcome: 'moved' | 'already' | 'conflict';
  /** Where the alias points after the call. */
  current: number | null;
  change?: AliasChange;
}

/**
 * Compare-and-set of an alias, keyed: moves `alias` from `expected` (null: not set yet) to `version`
 * only if it is still at `expected`, and records the move with `key` (e.g. a run id), which is unique
 * per alias, so the same key never moves it twice. Runs on the caller's client: inside the caller's
 * transaction, the move commits or rolls back with the caller's own records (the retraining
 * pipeline's terminal record of a run). The UPDATE ... WHERE version = expected (or the INSERT of an
 * unset alias, which the primary key serializes) is the atomic step: two callers expecting the same
 * version cannot both win, under READ COMMITTED too. `champion` is refused for a version with a
 * non-finite metric, like setAlias.
 */
export async function compareAndSetAlias(
  client: Queryable,
  move: {
    name: string;
    alias: string;
    expected: number | null;
    version: number;
    reason: string;
    key: string;
  },
): Promise<AliasSwap> {
  const { name, alias, expected, version, reason, key } = move;
  checkModelName(name);
  checkAlias(alias);
  checkVersion(version);
  if (expected !== null) checkVersion(expected);
  checkReason(reason);
  if (!(key.length > 0 && key.length <= 200))
    throw new RegistryError('bad-input', 'an alias move key must be 1-200 characters');
  const before = await client.query<{ to_version: number; from_version: number | null; changed_at: Date }>(
    'SELECT to_version, from_version, changed_at FROM registry_alias_history WHERE name = $1 AND alias = $2 AND move_key = $3',
    [name, alias, key],
  );
  if (before.rows.length > 0) {
    const r = before.rows[0];
    const change = {
      name,
      alias,
      fromVersion: r.from_version,
      toVersion: r.to_version,
      reason,
      changedAt: r.changed_at,
    };
    return { outcome: 'already', current: await getAlias(client, name, alias), change };
  }
  checkChampion(alias, await getVersion(client, name, version));
  const swapped =
    expected === null
      ? await client.query(
          `INSERT INTO registry_aliases (name, alias, version) VALUES ($1, $2, $3)
           ON CONFLICT (name, alias) DO NOTHING`,
          [name, alias, version],
        )
      : await client.query(
          `UPDATE registry_aliases SET version = $3, updated_at = now()
           WHERE name = $1 AND alias = $2 AND version = $4`,
          [name, alias, version, expected],
        );
  if (swapped.rowCount !== 1) return { outcome: 'conflict', current: await getAlias(client, name, alias) };
  // The unique (name, alias, move_key) index is the last word: a concurrent caller with the same key
  // that got here too fails on it, and its transaction (with its swap) rolls back.
  const h = await client.query<{ changed_at: Date }>(
    `INSERT INTO registry_alias_history (name, alias, from_version, to_version, reason, move_key)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING changed_at`,
    [name, alias, expected, version, reason, key],
  );
  const change = {
    name,
    alias,
    fromVersion: expected,
    toVersion: version,
    reason,
    changedAt: h.rows[0].changed_at,
  };
  return { outcome: 'moved', current: version, change };
}

/** Every move of the model's aliases (or of one alias), oldest first. */
export async function aliasHistory(pool: Queryable, name: string, alias?: string): Promise<AliasChange[]> {
  checkModelName(name);
  if (alias !== undefined) checkAlias(alias);
  const { rows } = await pool.query<{
    alias: string;
    from_version: number | null;
    to_version: number;
    reason: string;
    changed_at: Date;
  }>(
    `SELECT alias, from_version, to_version, reason, changed_at FROM registry_alias_history
     WHERE name = $1 AND ($2::text IS NULL OR alias = $2) ORDER BY id`,
    [name, alias ?? null],
  );
  return rows.map((r) => ({
    name,
    alias: r.alias,
    fromVersion: r.from_version,
    toVersion: r.to_version,
    reason: r.reason,
    changedAt: r.changed_at,
  }));
}

/** `name@champion` or `name@3` -> the registered version it means now. */
export async function resolve(pool: Queryable, ref: string | ModelRef): Promise<ModelVersion> {
  const r = typeof ref === 'string' ? parseRef(ref) : ref;
  // getVersion and getAlias check the name, version and alias of a ModelRef built by hand.
  if (r.version !== undefined) return getVersion(pool, r.name, r.version);
  const alias = r.alias ?? '';
  const version = await getAlias(pool, r.name, alias);
  if (version === null) throw new RegistryError('not-found', `alias ${r.name}@${alias} is not set`);
  return getVersion(pool, r.name, version);
}
