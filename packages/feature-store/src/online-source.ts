/**
 * Reading a feature view's Postgres source for materialization (Q8): the latest row per entity with
 * event time in [start, end), one page of entities at a time in join-key order (keyset pagination),
 * so a run can stop after any page and continue after its last key. Feast's materialization reads
 * the same "latest per entity in a window", but pulls the whole window into memory at once.
 * Each page is an index range scan of the offline store's index (join keys, event DESC, created
 * DESC, ingest_seq DESC: `createSourceTable` makes it, `createSourceIndex` adds it to a table made
 * elsewhere): the first entry per key inside the window is the row to serve. Without that index
 * every page sorts the whole table. Timestamps become ms with the offline store's expression, so
 * both stores report identical event times.
 */
import { newestFirstOrderBy, quoteIdent, quoteTable, timestamptzToMs } from './offline-source.ts';
import type { FeatureView } from './types.ts';

/**
 * One row per entity, chosen by the offline store's own newest-first order (event, then created,
 * then ingestion sequence), so both stores pick the same row even on full ties. As arrays:
 * [key text..., event ms, created ms, values JSON].
 * Rows with a null join key are skipped: they name no entity, offline or online.
 * Params: $1 start, $2 end (timestamptz), $3 page size, then with `after` one per join key (text,
 * cast by Postgres to the column's type, so the keyset compares in the same order as ORDER BY).
 */
export function latestPerEntitySql(view: FeatureView, after: boolean): string {
  // Columns are qualified and outputs aliased: a bare ORDER BY name would otherwise bind to the
  // ::text output column of the same name and sort ids as text ('10' < '9') while the keyset
  // compares them as numbers, and a resumed run would skip entities.
  const col = (name: string) => `src.${quoteIdent(name)}`;
  const keys = view.entity.joinKeys.map(col);
  const event = col(view.source.eventTimestampColumn);
  const created = col(view.source.createdTimestampColumn);
  const outputs = [
    ...keys.map((k, i) => `${k}::text AS _k${i}`),
    `${timestamptzToMs(event)} AS _event`,
    `${timestamptzToMs(created)} AS _created`,
    `${valuesJsonSql(view, col)} AS _values`,
  ];
  const where = [
    `${event} >= $1::timestamptz`,
    `${event} < $2::timestamptz`,
    ...keys.map((k) => `${k} IS NOT NULL`),
  ];
  if (after) where.push(`(${keys.join(', ')}) > (${keys.map((_, i) => `$${i + 4}`).join(', ')})`);
  return [
    `SELECT DISTINCT ON (${keys.join(', ')})`,
    `  ${outputs.join(', ')}`,
    `FROM ${quoteTable(view.source.table)} AS src`,
    `WHERE ${where.join(' AND ')}`,
    `ORDER BY ${keys.join(', ')}, ${newestFirstOrderBy(view, 'src')}`,
    'LIMIT $3',
  ].join('\n');
}

/**
 * The `@values` JSON object built by Postgres: the same compact layout as `valuesEncoder`, so a
 * chunk crosses the wire as one text column instead of one column per feature, and Node neither
 * parses nor re-encodes the numbers. to_json writes NaN and Infinity as strings, as the encoder does;
 * numbers may differ from JS in spelling only (1e-07 for 1e-7), never in value.
 */
export function valuesJsonSql(view: FeatureView, col: (name: string) => string): string {
  const parts = view.features.map((f, j) => {
    const cast = f.type === 'string' ? 'text' : 'float8';
    const head = `${j === 0 ? '{' : ','}"${f.name}":`; // names are SQL identifiers: nothing to escape
    return `'${head}' || coalesce(to_json(${col(f.name)}::${cast})::text, 'null')`;
  });
  return `(${parts.join(' || ')} || '}')`;
}

/** Query parameters for `latestPerEntitySql`. */
export function latestPerEntityParams(
  startMs: number,
  endMs: number,
  pageSize: number,
  after: readonly string[] | null,
): unknown[] {
  return [new Date(startMs).toISOString(), new Date(endMs).toISOString(), pageSize, ...(after ?? [])];
}
