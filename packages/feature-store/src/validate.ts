/**
 * Checks run before the offline store sends its join (Q7): a training-set query that fails halfway,
 * or worse silently joins nothing because a column is misnamed, costs a pipeline run. Each problem is a
 * FeatureStoreError naming the row, feature or column and the fix. Only the source-table check needs
 * Postgres, and it is one catalogue query for all views.
 */
import { checkView, INGEST_SEQ_COLUMN, sourceColumns } from './definitions.ts';
import { FeatureStoreError } from './errors.ts';
import type { FeatureSpec, FeatureView } from './types.ts';

/** 0001-01-01 and 9999-12-31T23:59:59.999Z: inside both JS Date and Postgres timestamptz ranges. */
export const MIN_TIMESTAMP_MS = -62_135_596_800_000;
export const MAX_TIMESTAMP_MS = 253_402_300_799_999;

/** Join-key values of one row; numbers are sent as their decimal text and cast by Postgres. */
export type EntityKeys = Record<string, string | number>;

/**
 * A row to join, or to write: `keys` names every join key, or `entityId` stands for the value of a
 * view's only join key (the oracle's shape, so one array can feed both paths).
 */
export interface KeyedRow {
  keys?: EntityKeys;
  entityId?: string;
}

/** Integer ms in [MIN_TIMESTAMP_MS, MAX_TIMESTAMP_MS]: timestamptz stores microseconds, ms map exactly. */
export function checkTimestamp(
  value: unknown,
  what: string,
  code: 'BAD_ENTITY_ROW' | 'BAD_FEATURE_ROW',
): number {
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new FeatureStoreError(
      `${what} must be an integer number of ms since epoch (e.g. Date.parse(...)), got ${String(value)}`,
      code,
    );
  }
  if (value < MIN_TIMESTAMP_MS || value > MAX_TIMESTAMP_MS) {
    throw new FeatureStoreError(`${what} = ${value} is outside years 1-9999`, code);
  }
  return value;
}

/**
 * Join-key values as text, one array per key (the shape `unnest` takes), validated row by row.
 * Throws BAD_ENTITY_ROW / BAD_FEATURE_ROW naming the row index and the missing key.
 */
export function keyColumns(
  rows: readonly KeyedRow[],
  joinKeys: readonly string[],
  label: string,
  code: 'BAD_ENTITY_ROW' | 'BAD_FEATURE_ROW',
): string[][] {
  const columns = joinKeys.map(() => new Array<string>(rows.length));
  for (let i = 0; i < rows.length; i++) {
    const row = rows[i];
    if (typeof row !== 'object' || row === null) {
      throw new FeatureStoreError(`${label}[${i}] is ${String(row)}, not a row object`, code);
    }
    if (row.keys === undefined && row.entityId !== undefined) {
      if (joinKeys.length !== 1) {
        throw new FeatureStoreError(
          `${label}[${i}] gives entityId, but the join has ${joinKeys.length} join keys ` +
            `(${joinKeys.join(', ')}); pass keys: { ${joinKeys.map((k) => `${k}: ...`).join(', ')} }`,
          code,
        );
      }
      columns[0][i] = keyText(row.entityId, `${label}[${i}].entityId`, code);
      continue;
    }
    for (let j = 0; j < joinKeys.length; j++) {
      columns[j][i] = keyText(row.keys?.[joinKeys[j]], `${label}[${i}].keys.${joinKeys[j]}`, code);
    }
  }
  return columns;
}

function keyText(value: unknown, what: string, code: 'BAD_ENTITY_ROW' | 'BAD_FEATURE_ROW'): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  throw new FeatureStoreError(
    `${what} is ${value === undefined ? 'missing' : String(value)}; every join key needs a string or number`,
    code,
  );
}

/** A requested feature resolved to its view, and the name it gets in the result. */
export interface ResolvedFeature {
  view: number;
  spec: FeatureSpec;
  output: string;
}

/**
 * `features` entries are `name` or `view:name` (Feast's reference form); omitted = every feature of
 * every view. Output names are bare unless `fullFeatureNames` (`view__name`, as in Feast), and two
 * views offering the same bare name must be told apart, never silently overwritten.
 */
export function resolveFeatures(
  views: readonly FeatureView[],
  features: readonly string[] | undefined,
  fullFeatureNames = false,
): ResolvedFeature[] {
  const all = views.flatMap((v, view) => v.features.map((spec) => ({ view, spec })));
  let picked = all;
  if (features !== undefined) {
    const valid = all.map((f) => `${views[f.view].name}:${f.spec.name}`);
    picked = features.map((ref) => {
      const colon = ref.indexOf(':');
      const matches = all.filter(
        (f) =>
          (colon < 0 || views[f.view].name === ref.slice(0, colon)) && f.spec.name === ref.slice(colon + 1),
      );
      if (matches.length === 0) {
        throw new FeatureStoreError(
          `unknown feature "${ref}"; valid features: ${valid.join(', ')}`,
          'UNKNOWN_FEATURE',
        );
      }
      if (matches.length > 1) {
        throw new FeatureStoreError(
          `feature "${ref}" is in ${matches.map((f) => views[f.view].name).join(' and ')}; ` +
            `write it as ${matches.map((f) => `"${views[f.view].name}:${ref}"`).join(' or ')}`,
          'AMBIGUOUS_FEATURE',
        );
      }
      return matches[0];
    });
  }
  const resolved = picked.map((f) => ({
    ...f,
    output: fullFeatureNames ? `${views[f.view].name}__${f.spec.name}` : f.spec.name,
  }));
  const seen = new Set<string>();
  for (const f of resolved) {
    if (seen.has(f.output)) {
      throw new FeatureStoreError(
        `feature name "${f.output}" is requested twice (two views define it, or it is listed twice); ` +
          'pass fullFeatureNames: true to get view__feature names, or request it once',
        'AMBIGUOUS_FEATURE',
      );
    }
    seen.add(f.output);
  }
  return resolved;
}

/** Column name -> Postgres type (`format_type`, e.g. `text`, `timestamp with time zone`). */
export type TableColumns = Map<string, string>;

/**
 * What a query needs from pg (a Pool, a Client, or a wrapper), so tests can count the queries sent.
 * Rows of `unknown` values: code reading a column checks its type.
 */
export interface Queryable {
  query(text: string, params?: unknown[]): Promise<{ rows: Record<string, unknown>[] }>;
}

const TIMESTAMPTZ = 'timestamp with time zone';

/**
 * Checks that every view's source table exists and has every declared column with a usable type, in
 * one catalogue query. `to_regclass` resolves an unqualified name through search_path exactly as the
 * join will (information_schema would leave that resolution to us and hides columns the role cannot
 * read). Returns each table's columns for the query builder (key casts).
 */
export async function checkSourceTables(
  pool: Queryable,
  views: readonly FeatureView[],
): Promise<Map<string, TableColumns>> {
  for (const view of views) checkView(view);
  const tables = [...new Set(views.map((v) => v.source.table))];
  const { rows } = await pool.query(
    `SELECT t.name, a.attname, format_type(a.atttypid, a.atttypmod) AS type
     FROM unnest($1::text[]) AS t(name)
     LEFT JOIN pg_attribute a ON a.attrelid = to_regclass(t.name) AND a.attnum > 0 AND NOT a.attisdropped`,
    [tables],
  );
  const found = new Map<string, TableColumns>(tables.map((t) => [t, new Map()]));
  for (const r of rows) {
    if (typeof r.attname === 'string') found.get(String(r.name))?.set(r.attname, String(r.type));
  }
  for (const view of views) {
    const table = view.source.table;
    const columns = found.get(table) ?? new Map<string, string>();
    const where = `source table "${table}" of feature view "${view.name}"`;
    if (columns.size === 0) {
      throw new FeatureStoreError(
        `${where} does not exist (or is not on the search_path); create it with createSourceTable(pool, view)`,
        'MISSING_TABLE',
      );
    }
    const missing = sourceColumns(view).filter((c) => !columns.has(c));
    if (missing.length > 0) {
      const seqHint = missing.includes(INGEST_SEQ_COLUMN)
        ? `; for ${INGEST_SEQ_COLUMN}: ALTER TABLE ${table} ADD COLUMN ${INGEST_SEQ_COLUMN} bigint GENERATED ALWAYS AS IDENTITY`
        : '';
      throw new FeatureStoreError(
        `${where} lacks declared column${missing.length > 1 ? 's' : ''} ${missing.join(', ')} ` +
          `(it has ${[...columns.keys()].join(', ')}); add them or fix the view${seqHint}`,
        'MISSING_COLUMNS',
      );
    }
    for (const column of [view.source.eventTimestampColumn, view.source.createdTimestampColumn]) {
      if (columns.get(column) !== TIMESTAMPTZ) {
        throw new FeatureStoreError(
          `${where}: column ${column} is ${columns.get(column)}, not timestamptz; ` +
            'a timestamp without time zone would shift with the session time zone',
          'WRONG_COLUMN_TYPE',
        );
      }
    }
  }
  return found;
}
