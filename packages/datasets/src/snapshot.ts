/**
 * Content-addressed snapshots of a tracked table (Q13): a snapshot is the set of row versions valid
 * at one instant plus the definitions the training set was built with, and its id is a Merkle root
 * over them, so the same rows and definitions give the same id however often it is taken.
 *
 * Manifest: the versions in bytewise key order, cut into chunks of CHUNK rows; a chunk's hash is
 * sha256 over `key \0 row_sha256` of its rows (computed in Postgres); the root (the id) is sha256 over
 * a format tag, the canonical definitions, the row count and the chunk hashes. Only the chunk
 * hashes are stored with the snapshot: the rows are the history's versions, which a snapshot shares
 * with every other snapshot that saw them unchanged (an incremental snapshot costs the changed rows).
 * Reference: the Merkle trees of git / lakeFS (ranges of content-addressed rows under a root).
 *
 * Verification recomputes every row's sha256 from its stored jsonb (a row rewritten in place is named
 * by key) and every chunk hash (a version inserted, deleted or re-hashed is located to its chunk).
 */
import { createHash } from 'node:crypto';
import { inTransaction, type Queryable } from '@mlops-lab/services/sql';
import type pg from 'pg';
import { canonicalJson } from './canonical.ts';
import { DatasetError } from './errors.ts';
import { asOfSql, checkTracked, syncColumns } from './history.ts';
import { historyOf, ident } from './names.ts';

/** Rows per manifest chunk: part of the id's definition (format v1). */
export const CHUNK = 1024;
const FORMAT = 'mlops-lab/datasets snapshot v1';

export const snapshotMigrations = [
  {
    id: '002_snapshots',
    sql: `
      CREATE TABLE datasets_snapshots (
        id text PRIMARY KEY,
        dataset text NOT NULL REFERENCES datasets_tracked (name),
        as_of timestamptz NOT NULL,
        row_count integer NOT NULL,
        definitions jsonb NOT NULL,
        chunk_hashes bytea[] NOT NULL,
        created_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        collected_at timestamptz
      );`,
  },
];

export interface Snapshot {
  id: string;
  table: string;
  asOf: Date;
  rowCount: number;
  chunks: number;
  definitions: unknown;
  createdAt: Date;
  /** False when a snapshot with this id already existed (same rows, same definitions). */
  created: boolean;
}

interface Chunk {
  hash: Buffer;
  first: string;
  last: string;
}

/** The manifest chunks of the versions valid at `asOf` (a SQL expression over $1). */
async function chunksAt(pool: Queryable, table: string, asOf: string, param: unknown, rehash: boolean) {
  const hash = rehash ? `sha256(convert_to(row::text, 'UTF8'))` : 'row_hash';
  const r = await pool.query(
    `WITH n AS (
       SELECT key, ${hash} AS h, (row_number() OVER (ORDER BY key COLLATE "C") - 1) / ${CHUNK} AS c
       FROM (${asOfSql(table, asOf)}) v)
     SELECT c, sha256(string_agg(convert_to(key, 'UTF8') || '\\x00'::bytea || h, ''::bytea ORDER BY key COLLATE "C")) AS hash,
            min(key COLLATE "C") AS first, max(key COLLATE "C") AS last, count(*)::int AS rows
     FROM n GROUP BY c ORDER BY c`,
    [param],
  );
  return {
    chunks: r.rows.map((x) => ({ hash: x.hash as Buffer, first: x.first, last: x.last })) as Chunk[],
    rowCount: r.rows.reduce((s, x) => s + x.rows, 0) as number,
  };
}

function rootOf(definitions: string, rowCount: number, chunks: readonly Buffer[]): string {
  const h = createHash('sha256').update(`${FORMAT}\n${definitions}\n${rowCount}\n`);
  for (const c of chunks) h.update(c);
  return h.digest('hex');
}

/**
 * Snapshots `table` now. The table is locked in SHARE mode while the manifest is read: writers in
 * flight commit first and new ones wait, so no version with valid_from before the snapshot's instant
 * can appear after it (an as-of read of that instant stays what it was).
 */
export async function createSnapshot(
  pool: Pick<pg.Pool, 'connect' | 'query'>,
  options: { table: string; definitions?: unknown },
): Promise<Snapshot> {
  const t = ident(options.table, 'table');
  const definitions = canonicalJson(options.definitions ?? {});
  await checkTracked(pool, options.table);
  const { id, created } = await inTransaction(pool, async (client) => {
    // SHARE ROW EXCLUSIVE: like SHARE it waits for writers in flight and blocks new ones, and it
    // lets this transaction re-version the rows itself after a schema change.
    await client.query(`LOCK TABLE ${t} IN SHARE ROW EXCLUSIVE MODE`);
    await syncColumns(client, options.table);
    const asOf = (await client.query('SELECT clock_timestamp()::text AS t')).rows[0].t as string;
    const { chunks, rowCount } = await chunksAt(client, options.table, '$1::timestamptz', asOf, false);
    const id = rootOf(
      definitions,
      rowCount,
      chunks.map((c) => c.hash),
    );
    const inserted = await client.query(
      `INSERT INTO datasets_snapshots (id, dataset, as_of, row_count, definitions, chunk_hashes)
       VALUES ($1, $2, $3::timestamptz, $4, $5::jsonb, $6) ON CONFLICT (id) DO NOTHING`,
      [id, options.table, asOf, rowCount, definitions, chunks.map((c) => c.hash)],
    );
    return { id, created: inserted.rowCount === 1 };
  });
  // After the release: an embedded Postgres pool holds a single connection.
  return { ...(await getSnapshot(pool, id)), created };
}

const HEX64 = /^[0-9a-f]{64}$/;

function checkId(id: string): void {
  if (typeof id !== 'string' || !HEX64.test(id))
    throw new DatasetError(
      'bad-input',
      `a snapshot id is 64 lowercase hex digits, got ${JSON.stringify(String(id).slice(0, 70))}`,
    );
}

/** The snapshot's record; refuses an unknown id and one whose rows were garbage-collected. */
export async function getSnapshot(pool: Queryable, id: string): Promise<Omit<Snapshot, 'created'>> {
  checkId(id);
  const r = await pool.query(
    `SELECT dataset, as_of, row_count, definitions, cardinality(chunk_hashes) AS chunks, created_at, collected_at
     FROM datasets_snapshots WHERE id = $1`,
    [id],
  );
  if (!r.rowCount) throw new DatasetError('not-found', `no snapshot ${id.slice(0, 12)}… in this database`);
  const s = r.rows[0];
  if (s.collected_at)
    throw new DatasetError(
      'collected',
      `snapshot ${id.slice(0, 12)}… was garbage-collected at ${s.collected_at.toISOString()}: pin snapshots a model was trained on`,
    );
  return {
    id,
    table: s.dataset,
    asOf: s.as_of,
    rowCount: s.row_count,
    chunks: s.chunks ?? 0,
    definitions: s.definitions,
    createdAt: s.created_at,
  };
}

const AS_OF_OF_ID = '(SELECT as_of FROM datasets_snapshots WHERE id = $1)';

export interface Verification {
  ok: boolean;
  id: string;
  /** The root the rows hash to now (equal to `id` when ok). */
  recomputed: string;
  rowCount: number;
  /** Versions whose stored row no longer hashes to the sha256 recorded when it was written. */
  rewrittenRows: { key: string; recorded: string; now: string }[];
  /** Manifest chunks whose hash changed, with their key range. */
  changedChunks: { index: number; first: string; last: string }[];
}

/** Recomputes the snapshot from its rows: every row hash, every chunk hash, the root. */
export async function verifySnapshot(pool: Queryable, id: string): Promise<Verification> {
  const snap = await getSnapshot(pool, id);
  const stored = (await pool.query('SELECT chunk_hashes FROM datasets_snapshots WHERE id = $1', [id]))
    .rows[0];
  const rewritten = await pool.query(
    `SELECT key, encode(row_hash, 'hex') AS recorded, encode(sha256(convert_to(row::text, 'UTF8')), 'hex') AS now
     FROM (${asOfSql(snap.table, AS_OF_OF_ID)}) v
     WHERE row_hash <> sha256(convert_to(row::text, 'UTF8')) ORDER BY key COLLATE "C" LIMIT 100`,
    [id],
  );
  const { chunks, rowCount } = await chunksAt(pool, snap.table, AS_OF_OF_ID, id, true);
  const recorded: Buffer[] = stored.chunk_hashes ?? [];
  const changedChunks = chunks
    .map((c, index) => ({
      index,
      first: c.first,
      last: c.last,
      same: recorded[index]?.equals(c.hash) ?? false,
    }))
    .filter((c) => !c.same)
    .map(({ index, first, last }) => ({ index, first, last }));
  const recomputed = rootOf(
    canonicalJson(snap.definitions),
    rowCount,
    chunks.map((c) => c.hash),
  );
  return {
    ok: recomputed === id && rewritten.rowCount === 0,
    id,
    recomputed,
    rowCount,
    rewrittenRows: rewritten.rows,
    changedChunks,
  };
}

/** One line naming what a failed verification found. */
export function describeMismatch(v: Verification): string {
  const rows = v.rewrittenRows.map((r) => r.key);
  const parts = [
    rows.length
      ? `${rows.length} row(s) rewritten in place: ${rows.slice(0, 5).join(', ')}${rows.length > 5 ? ', …' : ''}`
      : '',
    v.changedChunks.length
      ? `${v.changedChunks.length} chunk(s) changed (keys ${v.changedChunks
          .map((c) => `${c.first}..${c.last}`)
          .slice(0, 3)
          .join(', ')})`
      : '',
  ].filter(Boolean);
  return `snapshot ${v.id.slice(0, 12)}… no longer matches its rows (they hash to ${v.recomputed.slice(0, 12)}…): ${parts.join('; ') || 'row count changed'}`;
}

/**
 * The snapshot's rows (objects as they were written), after verifying them: a mismatch is a
 * DatasetError('tampered') naming the rows. Sorted by `orderBy` columns (numbers numerically, text by
 * code unit), else by key.
 */
export async function readSnapshot(
  pool: Queryable,
  id: string,
  options: { orderBy?: readonly string[]; verify?: boolean } = {},
): Promise<Record<string, unknown>[]> {
  const snap = await getSnapshot(pool, id);
  if (options.verify ?? true) {
    const v = await verifySnapshot(pool, id);
    if (!v.ok) throw new DatasetError('tampered', describeMismatch(v));
  }
  const r = await pool.query(`${asOfSql(snap.table, AS_OF_OF_ID)} ORDER BY key COLLATE "C"`, [id]);
  const rows = r.rows.map((x) => x.row as Record<string, unknown>);
  return options.orderBy ? sortRows(rows, options.orderBy) : rows;
}

/** Stable sort by columns: numbers numerically, anything else by its string's code units. */
export function sortRows(
  rows: Record<string, unknown>[],
  orderBy: readonly string[],
): Record<string, unknown>[] {
  const cmp = (a: unknown, b: unknown) =>
    typeof a === 'number' && typeof b === 'number'
      ? a - b
      : String(a) < String(b)
        ? -1
        : String(a) > String(b)
          ? 1
          : 0;
  return rows.sort((a, b) => {
    for (const c of orderBy) {
      const d = cmp(a[c], b[c]);
      if (d !== 0) return d;
    }
    return 0;
  });
}

export interface RowChange {
  key: string;
  change: 'added' | 'removed' | 'changed';
}

/** The exact row-level difference from snapshot `a` to `b` of one table, in one query. */
export async function diffSnapshots(pool: Queryable, a: string, b: string): Promise<RowChange[]> {
  const [sa, sb] = [await getSnapshot(pool, a), await getSnapshot(pool, b)];
  if (sa.table !== sb.table)
    throw new DatasetError(
      'bad-input',
      `snapshots of different tables (${sa.table}, ${sb.table}) have no row diff`,
    );
  const h = ident(historyOf(sa.table), 'history table');
  const at = (p: string) =>
    `SELECT key, row_hash FROM ${h} WHERE valid_from <= (SELECT as_of FROM datasets_snapshots WHERE id = ${p})
       AND (valid_to IS NULL OR valid_to > (SELECT as_of FROM datasets_snapshots WHERE id = ${p}))`;
  const r = await pool.query(
    `SELECT coalesce(x.key, y.key) AS key,
            CASE WHEN x.key IS NULL THEN 'added' WHEN y.key IS NULL THEN 'removed' ELSE 'changed' END AS change
     FROM (${at('$1')}) x FULL JOIN (${at('$2')}) y ON x.key = y.key
     WHERE x.row_hash IS DISTINCT FROM y.row_hash ORDER BY coalesce(x.key, y.key) COLLATE "C"`,
    [a, b],
  );
  return r.rows;
}
