/**
 * A feature view's source table in Postgres, the offline store's history (Q7, Q8): creating it with
 * the index the point-in-time join probes, and writing feature rows in batches. Feast leaves the
 * source table to the user; here it is created from the view, so the join's index cannot be missing.
 *
 * Layout: join keys (text COLLATE "C"), event and created timestamps (timestamptz), `ingest_seq`
 * (bigint identity: ingestion order, the last tiebreak), one column per feature (float -> double
 * precision, int -> bigint, string -> text). Index: (join keys..., event DESC, created DESC,
 * ingest_seq DESC), the exact order the join wants, so each probe reads one index entry. Its name is
 * the table's first 40 characters, `_pit_` and 12 hex digits of a SHA-256 of the whole table name:
 * at most 57 bytes (Postgres truncates identifiers past 63, so a truncated name could clash), and
 * distinct for long names that share a prefix.
 *
 * Every function here checks the view first (definitions.ts checkView): a view that skipped
 * defineFeatureView is an INVALID_VIEW error, not a raw Postgres one.
 */
import { createHash } from 'node:crypto';
import { checkView, INGEST_SEQ_COLUMN } from './definitions.ts';
import { FeatureStoreError } from './errors.ts';
import { ownValue } from './safe-keys.ts';
import type { FeatureType, FeatureValue, FeatureView } from './types.ts';
import { checkSourceTables, checkTimestamp, type KeyedRow, keyColumns, type Queryable } from './validate.ts';

/** A row to write: `keys` (or `entityId` for a one-key view), timestamps in ms, values by feature name. */
export interface FeatureRow extends KeyedRow {
  eventTimestamp: number;
  createdTimestamp: number;
  /** A declared feature left out is stored as null; a name the view does not declare is an error. */
  values: Record<string, FeatureValue>;
}

const SQL_TYPE: Record<FeatureType, string> = { float: 'double precision', int: 'bigint', string: 'text' };

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** `table` or `schema.table`, each part quoted; a bare name resolves through search_path. */
export function quoteTable(name: string): string {
  return name.split('.').map(quoteIdent).join('.');
}

/**
 * ms since epoch (bigint) -> timestamptz: float8 seconds, rounded to the microsecond by to_timestamp,
 * which is exact for integer ms; the session time zone plays no part. The float8 division gives the
 * same seconds as `ms / 1000.0` in numeric then cast (both are the exact quotient rounded once: the
 * numeric quotient of an integer by 1000 is exact, and |ms| < 2^53 is exact in float8) at a fraction
 * of the cost: numeric division was about a quarter of the embedded join's CPU time, as it runs per
 * entity row and per ttl bound (measured on PGlite, 100k entity rows).
 */
export function msToTimestamptz(expr: string): string {
  return `to_timestamp((${expr})::float8 / 1000)`;
}

/** Microseconds from 1970-01-01 to 2000-01-01, the epoch of Postgres' timestamptz (int64 µs). */
const PG_EPOCH_US = 946_684_800_000_000;

/**
 * timestamptz -> ms since 1970 as float8 (a JS number): the exact ms value, correctly rounded (sub-ms
 * parts stay as a fraction). The plain form, `(extract(epoch FROM ts) * 1000)::float8`, is exact
 * (extract is numeric) but numeric arithmetic is the dearest step of a materialization page on the
 * embedded Postgres (about 45% of its server time for two timestamps per row, measured on PGlite).
 * Between 1700 and 2200 this reads the int64 µs straight from timestamptz_send (its binary form),
 * adds the epoch shift as bigint and divides the exact float8 by 1000: both forms are the exact ms
 * value rounded once, so they agree bit for bit (offline-source.test.ts compares them); outside
 * that range |µs| may pass 2^53, and ±infinity would overflow, so the plain form runs there.
 */
export function timestamptzToMs(expr: string): string {
  const fromBinary = `(('x' || encode(timestamptz_send(${expr}), 'hex'))::bit(64)::bigint + ${PG_EPOCH_US})::float8 / 1000`;
  return (
    `(CASE WHEN ${expr} >= '1700-01-01 00:00:00+00' AND ${expr} < '2200-01-01 00:00:00+00' ` +
    `THEN ${fromBinary} ELSE (extract(epoch FROM ${expr}) * 1000)::float8 END)`
  );
}

/**
 * The newest-first order every reader of a source must share (offline join, materialization): newest
 * event, then latest created, then latest ingested. Prefix the columns with `alias.` when given.
 */
export function newestFirstOrderBy(view: FeatureView, alias?: string): string {
  checkView(view);
  const col = (c: string) => (alias ? `${alias}.${quoteIdent(c)}` : quoteIdent(c));
  const { eventTimestampColumn: event, createdTimestampColumn: created } = view.source;
  return `${col(event)} DESC, ${col(created)} DESC, ${col(INGEST_SEQ_COLUMN)} DESC`;
}

/**
 * The index's name, unquoted. From the bare table name: the index lives in the table's schema, so
 * `analytics.t` and `t` on a search_path that finds it name one index, not two.
 */
export function indexName(view: FeatureView): string {
  const table = view.source.table.split('.').at(-1) ?? view.source.table;
  const hash = createHash('sha256').update(table).digest('hex').slice(0, 12);
  return `${table.slice(0, 40)}_pit_${hash}`;
}

/**
 * The join's index, for a source table made elsewhere (createSourceTable already adds it). IF NOT
 * EXISTS skips silently when ANY relation in the schema has the name, so the index is looked up on
 * the table afterwards: a name taken by something else is an error, never a missing index.
 */
export async function createSourceIndex(pool: Queryable, view: FeatureView): Promise<void> {
  const checked = checkView(view);
  const keys = checked.entity.joinKeys.map(quoteIdent).join(', ');
  const name = indexName(checked);
  const table = quoteTable(checked.source.table);
  await pool.query(
    `CREATE INDEX IF NOT EXISTS ${quoteIdent(name)} ON ${table} (${keys}, ${newestFirstOrderBy(checked)})`,
  );
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
     WHERE i.indrelid = to_regclass($1) AND c.relname = $2`,
    [table, name],
  );
  if (rows[0]?.n !== 1) {
    throw new FeatureStoreError(
      `the point-in-time index of source table "${checked.source.table}" (view "${checked.name}") was not created: ` +
        `its name "${name}" is taken by another relation in that schema; rename or drop that relation`,
      'INDEX_NAME_TAKEN',
    );
  }
}

/**
 * Creates the source table of `view` and its index. Join keys are text COLLATE "C": equality is the
 * same under every deterministic collation, and byte-wise comparisons make each index probe cheaper
 * (measured ~25% faster joins than the C.UTF-8 libc collation on Postgres 15).
 */
export async function createSourceTable(
  pool: Queryable,
  view: FeatureView,
  options: { ifNotExists?: boolean } = {},
): Promise<void> {
  view = checkView(view);
  const columns = [
    ...view.entity.joinKeys.map((k) => `${quoteIdent(k)} text COLLATE "C" NOT NULL`),
    `${quoteIdent(view.source.eventTimestampColumn)} timestamptz NOT NULL`,
    `${quoteIdent(view.source.createdTimestampColumn)} timestamptz NOT NULL`,
    `${quoteIdent(INGEST_SEQ_COLUMN)} bigint GENERATED ALWAYS AS IDENTITY`,
    ...view.features.map((f) => `${quoteIdent(f.name)} ${SQL_TYPE[f.type]}`),
  ];
  const ifNotExists = options.ifNotExists ? 'IF NOT EXISTS ' : '';
  await pool.query(
    `CREATE TABLE ${ifNotExists}${quoteTable(view.source.table)} (\n  ${columns.join(',\n  ')}\n)`,
  );
  await createSourceIndex(pool, view);
}

function checkValue(value: unknown, type: FeatureType, what: string): FeatureValue {
  if (value === null || value === undefined) return null;
  const ok =
    type === 'string'
      ? typeof value === 'string'
      : type === 'int'
        ? Number.isSafeInteger(value)
        : typeof value === 'number';
  if (!ok) {
    throw new FeatureStoreError(
      `${what} is ${JSON.stringify(value)}, not a ${type === 'int' ? 'safe integer' : type} (or null)`,
      'BAD_FEATURE_ROW',
    );
  }
  return value as FeatureValue;
}

/** Column arrays of the rows (validated), in the order `insertSql` binds them. */
function toColumns(view: FeatureView, rows: readonly FeatureRow[]): unknown[][] {
  const label = `featureRows of "${view.name}"`;
  const keys = keyColumns(rows, view.entity.joinKeys, label, 'BAD_FEATURE_ROW');
  const event = new Array<number>(rows.length);
  const created = new Array<number>(rows.length);
  const features = view.features.map(() => new Array<FeatureValue>(rows.length));
  const declared = new Set(view.features.map((f) => f.name));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    event[i] = checkTimestamp(row.eventTimestamp, `${label}[${i}].eventTimestamp`, 'BAD_FEATURE_ROW');
    created[i] = checkTimestamp(row.createdTimestamp, `${label}[${i}].createdTimestamp`, 'BAD_FEATURE_ROW');
    const values = row.values ?? {};
    for (const name of Object.keys(values)) {
      if (!declared.has(name)) {
        throw new FeatureStoreError(
          `${label}[${i}].values has "${name}", which the view does not declare (declared: ${[...declared].join(', ')})`,
          'BAD_FEATURE_ROW',
        );
      }
    }
    view.features.forEach((f, j) => {
      features[j][i] = checkValue(ownValue(values, f.name), f.type, `${label}[${i}].values.${f.name}`);
    });
  }
  return [...keys, event, created, ...features];
}

const ARRAY_TYPE: Record<FeatureType, string> = { float: 'float8[]', int: 'bigint[]', string: 'text[]' };

/**
 * Appends `rows` to the view's source table, validating every row before the first write. Batches of
 * `batchSize` rows, each one INSERT ... SELECT FROM unnest(arrays): one statement and one parameter
 * per column, whatever the batch size. Rows get increasing `ingest_seq` in array order (the identity
 * is drawn as unnest yields rows, in ordinality order), so among full ties the later row wins, as in
 * the oracle. Join keys travel as text and are cast to the key column's type.
 */
export async function insertFeatureRows(
  pool: Queryable,
  view: FeatureView,
  rows: readonly FeatureRow[],
  options: { batchSize?: number } = {},
): Promise<{ inserted: number }> {
  view = checkView(view);
  const batchSize = options.batchSize ?? 20_000;
  if (!Number.isSafeInteger(batchSize) || batchSize <= 0) {
    throw new FeatureStoreError(`batchSize must be a positive integer, got ${batchSize}`);
  }
  const columns = toColumns(view, rows);
  const tables = await checkSourceTables(pool, [view]);
  const types = tables.get(view.source.table) ?? new Map<string, string>();
  const keyTypes = view.entity.joinKeys.map((k) => `${types.get(k) ?? 'text'}[]`);
  const arrayTypes = [...keyTypes, 'bigint[]', 'bigint[]', ...view.features.map((f) => ARRAY_TYPE[f.type])];
  const names = arrayTypes.map((_, i) => `c${i}`);
  const nk = view.entity.joinKeys.length;
  const select = names.map((n, i) => (i === nk || i === nk + 1 ? msToTimestamptz(n) : n));
  const target = [
    ...view.entity.joinKeys,
    view.source.eventTimestampColumn,
    view.source.createdTimestampColumn,
    ...view.features.map((f) => f.name),
  ].map(quoteIdent);
  const sql =
    `INSERT INTO ${quoteTable(view.source.table)} (${target.join(', ')})\n` +
    `SELECT ${select.join(', ')}\n` +
    `FROM unnest(${arrayTypes.map((t, i) => `$${i + 1}::${t}`).join(', ')}) WITH ORDINALITY AS u(${names.join(', ')}, ord)\n` +
    'ORDER BY ord';
  for (let start = 0; start < rows.length; start += batchSize) {
    await pool.query(
      sql,
      columns.map((c) => c.slice(start, start + batchSize)),
    );
  }
  return { inserted: rows.length };
}
