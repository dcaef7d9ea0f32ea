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
 *
 * The `@values` JSON is assembled in Node from Postgres' own number text (`valuesFromRow`), not built
 * by Postgres: on the embedded Postgres (WebAssembly in this process) 21 text concatenations and 10
 * to_json calls per row were most of a page's server time, and splicing the same text in JS costs
 * less than that saves (`pnpm bench online`).
 */
import { newestFirstOrderBy, quoteIdent, quoteTable, timestamptzToMs } from './offline-source.ts';
import { valuesHeads } from './online-keys.ts';
import type { FeatureView } from './types.ts';

/**
 * One row per entity, chosen by the offline store's own newest-first order (event, then created,
 * then ingestion sequence), so both stores pick the same row even on full ties. As arrays:
 * [key text..., event ms, created ms, then the values columns `valuesFromRow` reads].
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
    ...valuesColumnsSql(view, col),
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
 * The columns the values come in: the numeric features (float and int, as float8, in view order) as
 * one float8[] in its text form, `{1.5,NULL,NaN}`, which is one column to parse per row instead of
 * one per feature; then each string feature as text. Float8 text never holds a comma, brace or
 * quote, so the array text splits on commas.
 */
function valuesColumnsSql(view: FeatureView, col: (name: string) => string): string[] {
  const numeric = view.features.filter((f) => f.type !== 'string');
  const strings = view.features.filter((f) => f.type === 'string');
  return [
    ...(numeric.length > 0
      ? [`ARRAY[${numeric.map((f) => `${col(f.name)}::float8`).join(', ')}]::text AS _numbers`]
      : []),
    ...strings.map((f, i) => `${col(f.name)}::text AS _s${i}`),
  ];
}

/**
 * `@values` from a page row, from column `first` on: the same compact JSON object as `valuesEncoder`
 * writes (the same heads). Numbers keep Postgres' spelling (1e-07 for 1e-7, never another value);
 * NaN and ±Infinity become strings and null stays null, as the encoder writes them; strings go
 * through JSON.stringify, as the encoder's do.
 */
export function valuesFromRow(view: FeatureView): (row: readonly unknown[], first: number) => string {
  const heads = valuesHeads(view);
  const isString = view.features.map((f) => f.type === 'string');
  const hasNumbers = isString.includes(false);
  return (row, first) => {
    const numbers = hasNumbers ? (row[first] as string).slice(1, -1).split(',') : [];
    let n = 0;
    let s = first + (hasNumbers ? 1 : 0);
    let out = '';
    for (let j = 0; j < heads.length; j++) {
      out += heads[j];
      if (isString[j]) {
        const v = row[s++] as string | null;
        out += v === null ? 'null' : JSON.stringify(v);
      } else {
        const t = numbers[n++];
        out += t === 'NULL' ? 'null' : t === 'NaN' || t === 'Infinity' || t === '-Infinity' ? `"${t}"` : t;
      }
    }
    return `${out}}`;
  };
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
