/**
 * Reading a feature view's Postgres source for materialization (Q8): the latest row per entity with
 * event time in [start, end), in join-key order, so a run can stop after any entity and continue
 * after it (keyset). Feast's materialization reads the same "latest per entity in a window", but
 * pulls the whole window into memory at once; here a server-side cursor hands it over in chunks.
 * Timestamps become ms with the offline store's expression, so both report identical event times.
 */
import { newestFirstOrderBy, quoteIdent, quoteTable, timestamptzToMs } from './offline-source.ts';
import type { FeatureView } from './types.ts';

/**
 * One row per entity, chosen by the offline store's own newest-first order (event, then created,
 * then ingestion sequence), so both stores pick the same row even on full ties. As arrays:
 * [key text..., event ms, created ms, features...]. Numeric features come as float8 (pg parses those to numbers; int8 and numeric would arrive as strings), text as text.
 * Rows with a null join key are skipped: they name no entity, offline or online.
 * Params: $1 start, $2 end (timestamptz), then with `resume` one per join key (text, cast by Postgres
 * to the column's type, so the keyset compares in the same order as ORDER BY).
 */
export function latestPerEntitySql(view: FeatureView, resume: boolean): string {
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
    ...view.features.map((f, i) => `${col(f.name)}::${f.type === 'string' ? 'text' : 'float8'} AS _f${i}`),
  ];
  const where = [
    `${event} >= $1::timestamptz`,
    `${event} < $2::timestamptz`,
    ...keys.map((k) => `${k} IS NOT NULL`),
  ];
  if (resume) where.push(`(${keys.join(', ')}) > (${keys.map((_, i) => `$${i + 3}`).join(', ')})`);
  return [
    `SELECT DISTINCT ON (${keys.join(', ')})`,
    `  ${outputs.join(', ')}`,
    `FROM ${quoteTable(view.source.table)} AS src`,
    `WHERE ${where.join(' AND ')}`,
    `ORDER BY ${keys.join(', ')}, ${newestFirstOrderBy(view, 'src')}`,
  ].join('\n');
}

/** Query parameters for `latestPerEntitySql`. */
export function latestPerEntityParams(
  startMs: number,
  endMs: number,
  after: readonly string[] | null,
): unknown[] {
  return [new Date(startMs).toISOString(), new Date(endMs).toISOString(), ...(after ?? [])];
}
