/**
 * Materialization (Q8, Q10): copies the latest value per entity from the Postgres source into the
 * Redis online store, newer-wins, in resumable chunks. Feast `materialize` and
 * `materialize_incremental`, with what its users ask for: an older window materialized after a
 * newer one changes nothing, a run that dies halfway continues from its last committed chunk, and
 * the watermark moves only once the whole window is in Redis.
 *
 * How a run goes: one pooled client (the embedded Postgres has a single connection) holds a session
 * advisory lock, so one run per view and store, and reads the source in pages of `chunkSize`
 * entities in join-key order (keyset pagination, see online-source.ts). Each page goes to Redis
 * through the compare-and-set script, then its last key is committed as progress; the next page is
 * already being computed by Postgres meanwhile. A restart reads on after the last committed key.
 * Why keyset and not a cursor: a cursor that survives the per-chunk progress commits must be WITH
 * HOLD, which computes the entire result before the first row arrives (no overlap with Redis, and
 * the whole window in temporary storage), while a page is one short index range scan.
 */
import type { Migration } from '@mlops-lab/services';
import type pg from 'pg';
import { checkView } from './definitions.ts';
import { FeatureStoreError } from './errors.ts';
import { type EncodedRow, writeEncoded } from './online.ts';
import { checkTime, hashKey, type OnlineStore } from './online-keys.ts';
import { latestPerEntityParams, latestPerEntitySql, valuesFromRow } from './online-source.ts';
import {
  beginRun,
  commitChunk,
  ensureStateTable,
  finishRun,
  type RunKind,
  readState,
} from './online-state.ts';
import type { FeatureView } from './types.ts';
import { checkSourceTables } from './validate.ts';

/** Postgres (the source and the bookkeeping) and the online store; `services` fits as is. */
export interface MaterializeTarget extends OnlineStore {
  pg: pg.Pool;
  /** `services.migrate`; without it the state table is created with CREATE TABLE IF NOT EXISTS. */
  migrate?: (owner: string, migrations: Migration[]) => Promise<void>;
}

export interface MaterializeProgress {
  /** Entities (latest rows) read from the source so far in this run, including resumed chunks. */
  rows: number;
  /** Hashes that changed: a row older than what Redis holds is read but not written. */
  written: number;
  chunks: number;
  elapsedMs: number;
}

export interface MaterializeOptions {
  /** Entities per chunk (one FETCH, one progress commit). Default 10,000. */
  chunkSize?: number;
  onProgress?: (progress: MaterializeProgress) => void;
  /** Called after each committed chunk; throwing aborts the run there (how the tests crash one). */
  onChunk?: (chunk: { chunk: number; afterKey: string[] }) => void | Promise<void>;
  /** Overwrite regardless of timestamps (re-materialise after a source fix that kept them). */
  force?: boolean;
}

export interface MaterializeResult {
  view: string;
  startMs: number;
  endMs: number;
  rows: number;
  written: number;
  chunks: number;
  elapsedMs: number;
  /** True when the run continued an unfinished one instead of starting over. */
  resumed: boolean;
  /** Incremental runs: the watermark afterwards. */
  watermarkMs?: number;
}

function checkChunkSize(options: MaterializeOptions): number {
  const size = options.chunkSize ?? 10_000;
  if (!Number.isSafeInteger(size) || size <= 0) {
    throw new FeatureStoreError(`chunkSize must be a positive integer, got ${size}`);
  }
  return size;
}

/** Materializes the latest row per entity with event time in [startMs, endMs). Idempotent. */
export async function materialize(
  target: MaterializeTarget,
  view: FeatureView,
  startMs: number,
  endMs: number,
  options: MaterializeOptions = {},
): Promise<MaterializeResult> {
  checkView(view);
  checkTime('startMs', startMs);
  checkTime('endMs', endMs);
  if (endMs < startMs) {
    throw new FeatureStoreError(
      `endMs ${endMs} is before startMs ${startMs}: the window is [startMs, endMs)`,
    );
  }
  checkChunkSize(options);
  await ensureStateTable(target);
  return runWindow(target, view, 'range', startMs, endMs, options);
}

/**
 * Materializes [watermark, endMs) and moves the watermark to endMs. An unfinished incremental run
 * is finished first (from its last committed chunk, with its own end). Before the first run the
 * watermark is `firstStartMs` (default the epoch: the whole history once).
 */
export async function materializeIncremental(
  target: MaterializeTarget,
  view: FeatureView,
  endMs: number,
  options: MaterializeOptions & { firstStartMs?: number } = {},
): Promise<MaterializeResult> {
  checkView(view);
  checkTime('endMs', endMs);
  if (options.firstStartMs !== undefined) checkTime('firstStartMs', options.firstStartMs);
  checkChunkSize(options);
  await ensureStateTable(target);
  const t0 = performance.now();
  let state = await readState(target.pg, view.name, target.key(''));
  const results: MaterializeResult[] = [];
  if (state?.run?.kind === 'incremental') {
    results.push(await runWindow(target, view, 'incremental', state.run.startMs, state.run.endMs, options));
    state = await readState(target.pg, view.name, target.key(''));
  }
  const watermark = state?.watermarkMs ?? options.firstStartMs ?? 0;
  if (endMs > watermark) {
    results.push(await runWindow(target, view, 'incremental', watermark, endMs, options));
  }
  const sum = (f: (r: MaterializeResult) => number) => results.reduce((n, r) => n + f(r), 0);
  return {
    view: view.name,
    startMs: results[0]?.startMs ?? watermark,
    endMs: Math.max(endMs, watermark),
    rows: sum((r) => r.rows),
    written: sum((r) => r.written),
    chunks: sum((r) => r.chunks),
    elapsedMs: performance.now() - t0,
    resumed: results.some((r) => r.resumed),
    watermarkMs: Math.max(endMs, watermark),
  };
}

async function runWindow(
  target: MaterializeTarget,
  view: FeatureView,
  kind: RunKind,
  startMs: number,
  endMs: number,
  options: MaterializeOptions,
): Promise<MaterializeResult> {
  const t0 = performance.now();
  const chunkSize = checkChunkSize(options);
  const store = target.key('');
  const nKeys = view.entity.joinKeys.length;
  const sqlAfter = latestPerEntitySql(view, true);
  const sqlFirst = latestPerEntitySql(view, false);
  const values = valuesFromRow(view);
  const client = await target.pg.connect();
  const lockKey = `feature-store-online:${store}:${view.name}`;
  let locked = false;
  try {
    await checkSourceTables(client, [view]); // a missing table or column is named before any work
    const { rows: lockRows } = await client.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
      lockKey,
    ]);
    locked = lockRows[0].ok === true;
    if (!locked) {
      throw new FeatureStoreError(
        `a materialization of view "${view.name}" into ${store} is already running`,
      );
    }
    const run = (await readState(client, view.name, store))?.run;
    const resumed = run?.kind === kind && run.startMs === startMs && run.endMs === endMs;
    let progress = { afterKey: null as string[] | null, rows: 0, written: 0, chunks: 0 };
    if (resumed) {
      progress = { afterKey: run.afterKey, rows: run.rows, written: run.written, chunks: run.chunks };
    } else {
      await beginRun(client, view.name, store, kind, startMs, endMs);
    }

    const page = (after: string[] | null): Promise<{ rows: unknown[][] }> => {
      const p = client.query<unknown[]>({
        text: after ? sqlAfter : sqlFirst,
        values: latestPerEntityParams(startMs, endMs, chunkSize, after),
        rowMode: 'array',
      });
      p.catch(() => {}); // awaited below; if the run fails first, this page's failure is not the news
      return p;
    };
    let next: Promise<{ rows: unknown[][] }> | null = page(progress.afterKey);
    while (next) {
      const { rows }: { rows: unknown[][] } = await next;
      if (rows.length === 0) break;
      const afterKey = (rows[rows.length - 1] as string[]).slice(0, nKeys);
      // The next page is computed by Postgres while this one goes to Redis; a short page was the last.
      next = rows.length === chunkSize ? page(afterKey) : null;
      const encoded: EncodedRow[] = rows.map((r) => ({
        key: hashKey(target, view, r.slice(0, nKeys) as string[]),
        event: r[nKeys] as number,
        created: r[nKeys + 1] as number,
        values: values(r, nKeys + 2), // from Postgres' own number text
      }));
      const written = await writeEncoded(target.redis, encoded, { force: options.force });
      progress = {
        afterKey,
        rows: progress.rows + rows.length,
        written: progress.written + written,
        chunks: progress.chunks + 1,
      };
      // Only now, with Redis' acknowledgement in hand, may the progress row move past this chunk.
      await commitChunk(client, view.name, store, { ...progress, afterKey });
      options.onProgress?.({
        rows: progress.rows,
        written: progress.written,
        chunks: progress.chunks,
        elapsedMs: performance.now() - t0,
      });
      await options.onChunk?.({ chunk: progress.chunks, afterKey });
    }
    await finishRun(client, view.name, store, kind === 'incremental' ? endMs : null);
    return {
      view: view.name,
      startMs,
      endMs,
      rows: progress.rows,
      written: progress.written,
      chunks: progress.chunks,
      elapsedMs: performance.now() - t0,
      resumed,
      ...(kind === 'incremental' ? { watermarkMs: endMs } : {}),
    };
  } finally {
    if (locked) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => {});
    client.release();
  }
}
