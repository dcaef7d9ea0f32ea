/**
 * The offline store's point-in-time join in Postgres (Q7: training rows see features as they were at
 * prediction time; Q8: the history behind the online store). Feast get_historical_features semantics,
 * with the oracle's rules (src/oracle.ts): inclusive ttl window, created timestamp then ingestion order
 * as tiebreaks, optional created-before-entity cut, input order and duplicates kept.
 *
 * Where Feast's SQL templates go wrong, and what this does instead:
 * - Feast joins every history row in the ttl window to every entity row, then ranks them with
 *   ROW_NUMBER: work grows with rows-per-entity x entity rows. Here each entity row is one LATERAL
 *   index probe, `ORDER BY event DESC, created DESC, ingest_seq DESC LIMIT 1` on the matching index:
 *   O(log M) per row, whatever the history length.
 * - Feast builds an entity row id by concatenating key values and the timestamp as text, so ('ab','c')
 *   and ('a','bc') collide. Here key columns are compared one by one, and rows are told apart by
 *   their position (WITH ORDINALITY), never by a composed string.
 * - Feast breaks full ties arbitrarily (and can return the row twice); here `ingest_seq` decides.
 * Entity rows travel as one array per column (`unnest`), one statement whatever their number; they are
 * sent grouped by entity so consecutive probes hit the same index pages, and put back in input order.
 */
import { checkTtl, checkView } from './definitions.ts';
import { FeatureStoreError } from './errors.ts';
import {
  msToTimestamptz,
  newestFirstOrderBy,
  quoteIdent,
  quoteTable,
  timestamptzToMs,
} from './offline-source.ts';
import type { FeatureValue, FeatureView } from './types.ts';
import {
  checkSourceTables,
  checkTimestamp,
  type EntityKeys,
  type KeyedRow,
  keyColumns,
  MAX_TIMESTAMP_MS,
  MIN_TIMESTAMP_MS,
  type Queryable,
  type ResolvedFeature,
  resolveFeatures,
  type TableColumns,
} from './validate.ts';

/** One training example to enrich: its join keys and the time its prediction was (or would be) made. */
export interface EntityRow extends KeyedRow {
  timestamp: number;
}

export interface HistoricalFeaturesRequest {
  entityRows: readonly EntityRow[];
  /** The view to join; or `views` for several (one LATERAL probe per view, same statement). */
  view?: FeatureView;
  views?: readonly FeatureView[];
  /** `name` or `view:name`; default every feature of every view. */
  features?: readonly string[];
  /** Replaces every view's ttl for this request (null = no limit); default the views' own. */
  ttlMs?: number | null;
  /** Ignore source rows created after the entity time: a backfill cannot leak into training. */
  createdBeforeEntity?: boolean;
  /** Name result values `view__feature` (needed when two views share a feature name). */
  fullFeatureNames?: boolean;
}

export interface HistoricalRow {
  keys: EntityKeys;
  timestamp: number;
  /** Every requested feature; null when its view had no row in the window (or the value is null). */
  values: Record<string, FeatureValue>;
  /** Per view: event time of the joined source row, null when none qualified. */
  eventTimestamps: Record<string, number | null>;
}

/** The statement, its ttl parameters (after the entity arrays), and its output columns. */
export interface HistoricalQuery {
  sql: string;
  ttlParams: number[];
  /** Output column of each probe's event time (`v0_event`), and per probe of each feature (`v0_f1`). */
  eventColumns: string[];
  featureColumns: string[][];
}

/** A view, the ttl in force for it (null = none), and its resolved features. */
export interface HistoricalProbe {
  view: FeatureView;
  ttlMs: number | null;
  features: ResolvedFeature[];
}

/**
 * Builds the join over entity arrays `$1..$k` (one text[] per join key in `joinKeys`) and `$k+1`
 * (bigint[] ms). A ttl bound is clamped to year 1, so a huge ttl cannot overflow timestamptz.
 */
export function buildHistoricalQuery(
  probes: readonly HistoricalProbe[],
  joinKeys: readonly string[],
  tables: ReadonlyMap<string, TableColumns>,
  createdBeforeEntity: boolean,
): HistoricalQuery {
  const ms = `$${joinKeys.length + 1}::bigint[]`;
  const keyArgs = joinKeys.map((_, i) => `$${i + 1}::text[]`);
  const keyNames = joinKeys.map((_, i) => `k${i}`);
  const ttlParams: number[] = [];
  const select: string[] = [];
  const eventColumns: string[] = [];
  const featureColumns: string[][] = [];
  const laterals = probes.map(({ view, ttlMs, features }, v) => {
    checkView(view);
    const columns = tables.get(view.source.table);
    const event = `s.${quoteIdent(view.source.eventTimestampColumn)}`;
    const where = view.entity.joinKeys.map((key) => {
      const type = columns?.get(key) ?? 'text';
      const outer = `e.k${joinKeys.indexOf(key)}`;
      return `s.${quoteIdent(key)} = ${type === 'text' ? outer : `${outer}::${type}`}`;
    });
    where.push(`${event} <= e.ts`);
    if (ttlMs !== null) {
      // Integer ms: event >= t - ttl is event >= t - floor(ttl). Beyond the whole range, no limit.
      ttlParams.push(Math.min(Math.floor(ttlMs), MAX_TIMESTAMP_MS - MIN_TIMESTAMP_MS));
      const bound = `greatest(e.ms - $${joinKeys.length + 1 + ttlParams.length}::bigint, ${MIN_TIMESTAMP_MS})`;
      where.push(`${event} >= ${msToTimestamptz(bound)}`);
    }
    if (createdBeforeEntity) where.push(`s.${quoteIdent(view.source.createdTimestampColumn)} <= e.ts`);
    eventColumns.push(`v${v}_event`);
    select.push(`v${v}.event_ms AS v${v}_event`);
    const inner = [`${timestamptzToMs(event)} AS event_ms`];
    featureColumns.push(
      features.map((f, j) => {
        inner.push(`s.${quoteIdent(f.spec.name)} AS f${j}`);
        select.push(`v${v}.f${j} AS v${v}_f${j}`);
        return `v${v}_f${j}`;
      }),
    );
    return (
      `LEFT JOIN LATERAL (\n  SELECT ${inner.join(', ')}\n  FROM ${quoteTable(view.source.table)} AS s\n` +
      `  WHERE ${where.join('\n    AND ')}\n  ORDER BY ${newestFirstOrderBy(view, 's')}\n  LIMIT 1\n) AS v${v} ON true`
    );
  });
  const sql = [
    `SELECT ${select.join(', ')}`,
    `FROM (SELECT ${keyNames.map((k) => `u.${k}`).join(', ')}, u.ms, ${msToTimestamptz('u.ms')} AS ts, u.ord`,
    `      FROM unnest(${[...keyArgs, ms].join(', ')}) WITH ORDINALITY AS u(${[...keyNames, 'ms', 'ord'].join(', ')})) AS e`,
    ...laterals,
    'ORDER BY e.ord',
  ].join('\n');
  return { sql, eventColumns, featureColumns, ttlParams };
}

function viewsOf(request: HistoricalFeaturesRequest): FeatureView[] {
  const given = request.view ? [request.view, ...(request.views ?? [])] : [...(request.views ?? [])];
  if (given.length === 0) throw new FeatureStoreError('getHistoricalFeatures needs `view` or `views`');
  const views = given.map((v) => checkView(v));
  const names = views.map((v) => v.name);
  const twice = names.find((n, i) => names.indexOf(n) !== i);
  if (twice) throw new FeatureStoreError(`feature view "${twice}" is given twice`);
  return views;
}

/** Positions grouped by entity (first-appearance order): neighbouring probes share index pages. */
function groupedOrder(keys: readonly string[][], n: number): Int32Array {
  const groups = new Map<string, number[]>();
  for (let i = 0; i < n; i++) {
    const id = keys.length === 1 ? keys[0][i] : JSON.stringify(keys.map((column) => column[i]));
    const list = groups.get(id);
    if (list) list.push(i);
    else groups.set(id, [i]);
  }
  const order = new Int32Array(n);
  let p = 0;
  for (const list of groups.values()) for (const i of list) order[p++] = i;
  return order;
}

function toValue(raw: unknown, type: string): FeatureValue {
  if (raw === null || raw === undefined) return null;
  if (type !== 'string' && typeof raw === 'string') return Number(raw); // bigint and numeric arrive as text
  return raw as FeatureValue;
}

/**
 * Point-in-time join of `entityRows` against the views' source tables, in one SQL statement. Every
 * input check (views, ttl, features, rows) runs before the first query; the source tables are then
 * checked in one catalogue query; then the join runs. Rows come back in input order.
 */
export async function getHistoricalFeatures(
  pool: Queryable,
  request: HistoricalFeaturesRequest,
): Promise<HistoricalRow[]> {
  const views = viewsOf(request);
  const override = request.ttlMs === undefined ? undefined : checkTtl(request.ttlMs, 'getHistoricalFeatures');
  const features = resolveFeatures(views, request.features, request.fullFeatureNames);
  const rows = request.entityRows;
  if (!Array.isArray(rows)) throw new FeatureStoreError('entityRows must be an array', 'BAD_ENTITY_ROW');
  const joinKeys = [...new Set(views.flatMap((v) => v.entity.joinKeys))];
  const keys = keyColumns(rows, joinKeys, 'entityRows', 'BAD_ENTITY_ROW');
  const times = rows.map((r, i) =>
    checkTimestamp(r.timestamp, `entityRows[${i}].timestamp`, 'BAD_ENTITY_ROW'),
  );

  const tables = await checkSourceTables(pool, views);
  const probes = views.map((view, v) => ({
    view,
    ttlMs: override === undefined ? view.ttlMs : override,
    features: features.filter((f) => f.view === v),
  }));
  const query = buildHistoricalQuery(probes, joinKeys, tables, request.createdBeforeEntity === true);
  const order = groupedOrder(keys, rows.length);
  const pick = <T>(column: readonly T[]) => Array.from(order, (i) => column[i]);
  const params = [...keys.map(pick), pick(times), ...query.ttlParams];
  const result = await pool.query(query.sql, params);

  if (result.rows.length !== rows.length) {
    // LEFT JOIN LATERAL ... LIMIT 1 yields one row per entity row: anything else is a bug, not bad input.
    throw new Error(`point-in-time join returned ${result.rows.length} rows for ${rows.length} entity rows`);
  }
  // Each requested feature's output column, in request order.
  const columnOf = features.map((f) => query.featureColumns[f.view][probes[f.view].features.indexOf(f)]);
  const out = new Array<HistoricalRow>(rows.length);
  result.rows.forEach((r, p) => {
    const i = order[p];
    const values: Record<string, FeatureValue> = {};
    features.forEach((f, n) => {
      values[f.output] = toValue(r[columnOf[n]], f.spec.type);
    });
    const eventTimestamps: Record<string, number | null> = {};
    views.forEach((view, v) => {
      const event = r[query.eventColumns[v]];
      eventTimestamps[view.name] = typeof event === 'number' ? event : null;
    });
    const row = rows[i];
    const rowKeys = row.keys ?? { [joinKeys[0]]: row.entityId as string };
    out[i] = { keys: rowKeys, timestamp: times[i], values, eventTimestamps };
  });
  return out;
}
