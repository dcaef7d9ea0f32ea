/**
 * Materialization bookkeeping in Postgres (Q8): per feature view and online store, the incremental
 * watermark and the run in progress with the last entity key whose chunk reached Redis. Feast
 * records only finished intervals, so a crashed run starts over; here a restart skips every
 * committed chunk.
 *
 * Invariant: a chunk's progress is recorded only after Redis acknowledged its writes, so the state
 * never runs ahead of Redis. It may lag behind (a crash between the two): the re-run then rewrites
 * that chunk, which newer-wins turns into a no-op.
 */
import type { Migration } from '@mlops-lab/services';
import type pg from 'pg';

export const STATE_OWNER = 'feature-store-online';

export const stateMigrations: Migration[] = [
  {
    id: '001_materialization_state',
    sql: `CREATE TABLE IF NOT EXISTS materialization_state (
      view text NOT NULL,
      store text NOT NULL,
      watermark_ms bigint,
      run_kind text,
      run_start_ms bigint,
      run_end_ms bigint,
      run_after_key text,
      run_rows bigint NOT NULL DEFAULT 0,
      run_written bigint NOT NULL DEFAULT 0,
      run_chunks integer NOT NULL DEFAULT 0,
      updated_at timestamptz NOT NULL DEFAULT now(),
      PRIMARY KEY (view, store)
    )`,
  },
];

export type RunKind = 'range' | 'incremental';

export interface MaterializationState {
  view: string;
  /** The online store's key prefix: each online store of a view has its own state. */
  store: string;
  /** Incremental runs: every event before this instant has been materialized. */
  watermarkMs: number | null;
  /** The unfinished run, if any. */
  run: {
    kind: RunKind;
    startMs: number;
    endMs: number;
    /** Join-key values (text) of the last committed entity; null before the first chunk. */
    afterKey: string[] | null;
    rows: number;
    written: number;
    chunks: number;
  } | null;
}

type Queryable = Pick<pg.Pool, 'query'> | Pick<pg.PoolClient, 'query'>;

/** Creates the table through `services.migrate` when given, else directly (a bare `{ pg }` target). */
export async function ensureStateTable(target: {
  pg: pg.Pool;
  migrate?: (owner: string, migrations: Migration[]) => Promise<void>;
}): Promise<void> {
  if (target.migrate) await target.migrate(STATE_OWNER, stateMigrations);
  else for (const m of stateMigrations) await target.pg.query(m.sql);
}

const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));

export async function readState(
  q: Queryable,
  view: string,
  store: string,
): Promise<MaterializationState | null> {
  const { rows } = await q.query('SELECT * FROM materialization_state WHERE view = $1 AND store = $2', [
    view,
    store,
  ]);
  if (rows.length === 0) return null;
  const r = rows[0];
  return {
    view,
    store,
    watermarkMs: num(r.watermark_ms),
    run: r.run_kind
      ? {
          kind: r.run_kind as RunKind,
          startMs: Number(r.run_start_ms),
          endMs: Number(r.run_end_ms),
          afterKey: r.run_after_key === null ? null : (JSON.parse(r.run_after_key) as string[]),
          rows: Number(r.run_rows),
          written: Number(r.run_written),
          chunks: Number(r.run_chunks),
        }
      : null,
  };
}

/** Starts a run from scratch (replacing any unfinished one); the watermark is kept. */
export async function beginRun(
  q: Queryable,
  view: string,
  store: string,
  kind: RunKind,
  startMs: number,
  endMs: number,
): Promise<void> {
  await q.query(
    `INSERT INTO materialization_state (view, store, run_kind, run_start_ms, run_end_ms)
     VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (view, store) DO UPDATE SET run_kind = $3, run_start_ms = $4, run_end_ms = $5,
       run_after_key = NULL, run_rows = 0, run_written = 0, run_chunks = 0, updated_at = now()`,
    [view, store, kind, startMs, endMs],
  );
}

export async function commitChunk(
  q: Queryable,
  view: string,
  store: string,
  progress: { afterKey: string[]; rows: number; written: number; chunks: number },
): Promise<void> {
  await q.query(
    `UPDATE materialization_state SET run_after_key = $3, run_rows = $4, run_written = $5, run_chunks = $6,
       updated_at = now() WHERE view = $1 AND store = $2`,
    [view, store, JSON.stringify(progress.afterKey), progress.rows, progress.written, progress.chunks],
  );
}

/** Ends the run; an incremental run also moves the watermark to its end, in the same statement. */
export async function finishRun(
  q: Queryable,
  view: string,
  store: string,
  watermarkMs: number | null,
): Promise<void> {
  await q.query(
    `UPDATE materialization_state SET run_kind = NULL, run_start_ms = NULL, run_end_ms = NULL,
       run_after_key = NULL, run_rows = 0, run_written = 0, run_chunks = 0,
       watermark_ms = COALESCE($3, watermark_ms), updated_at = now() WHERE view = $1 AND store = $2`,
    [view, store, watermarkMs],
  );
}

/** What `materializeIncremental` would start from, or null before the first incremental run. */
export async function getMaterializationState(
  target: {
    pg: pg.Pool;
    key(name: string): string;
    migrate?: (owner: string, m: Migration[]) => Promise<void>;
  },
  view: string,
): Promise<MaterializationState | null> {
  await ensureStateTable(target);
  return readState(target.pg, view, target.key(''));
}
