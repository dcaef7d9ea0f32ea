/**
 * Materialization (Q8, Q10): copies the latest value per entity from the Postgres source into the
 * Redis online store, newer-wins, in resumable chunks. Feast `materialize` and
 * `materialize_incremental`, with what its users ask for: an older window materialized after a
 * newer one changes nothing, a run that dies halfway continues from its last committed chunk, and
 * the watermark moves only once the whole window is in Redis.
 *
 * How a run goes: one pooled client holds a session advisory lock (one run per view and store), a
 * `WITH HOLD` cursor over the latest-per-entity query in join-key order, and the progress row.
 * WITH HOLD is what lets each progress update commit on its own while the cursor stays open, on a
 * single connection: the embedded Postgres has only one. The next FETCH is in flight while Redis
 * writes the current chunk. A restart re-declares the cursor after the last committed key.
 */
import { randomBytes } from 'node:crypto';
import type { Migration } from '@mlops-lab/services';
import type pg from 'pg';
import { FeatureStoreError } from './errors.ts';
import { type EncodedRow, writeEncoded } from './online.ts';
import { checkOnlineView, checkTime, hashKey, type OnlineStore } from './online-keys.ts';
import { latestPerEntityParams, latestPerEntitySql } from './online-source.ts';
import {
  beginRun,
  commitChunk,
  ensureStateTable,
  finishRun,
  type MaterializationState,
  type RunKind,
  readState,
} from './online-state.ts';
import type { FeatureView } from './types.ts';

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
  checkOnlineView(view);
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
  checkOnlineView(view);
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
  if (endMs > watermark)
    results.push(await runWindow(target, view, 'incremental', watermark, endMs, options));
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
  const client = await target.pg.connect();
  const lockKey = `feature-store-online:${store}:${view.name}`;
  let locked = false;
  let cursor: string | null = null;
  try {
    const { rows: lockRows } = await client.query('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
      lockKey,
    ]);
    locked = lockRows[0].ok === true;
    if (!locked) {
      throw new FeatureStoreError(
        `a materialization of view "${view.name}" into ${store} is already running`,
      );
    }
    const state: MaterializationState | null = await readState(client, view.name, store);
    const run = state?.run;
    const resumed = run?.kind === kind && run.startMs === startMs && run.endMs === endMs;
    let progress = { afterKey: null as string[] | null, rows: 0, written: 0, chunks: 0 };
    if (resumed) progress = { ...run };
    else await beginRun(client, view.name, store, kind, startMs, endMs);

    const name = `fs_materialize_${randomBytes(6).toString('hex')}`;
    await client.query(
      `DECLARE ${name} NO SCROLL CURSOR WITH HOLD FOR ${latestPerEntitySql(view, progress.afterKey !== null)}`,
      latestPerEntityParams(startMs, endMs, progress.afterKey),
    );
    cursor = name;
    const fetch = () => client.query({ text: `FETCH ${chunkSize} FROM ${name}`, rowMode: 'array' });
    let next = fetch();
    for (;;) {
      const { rows } = await next;
      if (rows.length === 0) break;
      next = fetch(); // overlaps with the Redis write below
      next.catch(() => {}); // if this chunk fails, the prefetch's own failure is not the news
      const encoded: EncodedRow[] = rows.map((r: unknown[]) => ({
        key: hashKey(target, view, r.slice(0, nKeys) as string[]),
        event: r[nKeys] as number,
        created: r[nKeys + 1] as number,
        values: r[nKeys + 2] as string, // the JSON object, built by Postgres
      }));
      const written = await writeEncoded(target.redis, encoded, { force: options.force });
      progress = {
        afterKey: (rows[rows.length - 1] as string[]).slice(0, nKeys),
        rows: progress.rows + rows.length,
        written: progress.written + written,
        chunks: progress.chunks + 1,
      };
      // Only now, with Redis' acknowledgement in hand, may the progress row move past this chunk.
      await commitChunk(client, view.name, store, { ...progress, afterKey: progress.afterKey! });
      options.onProgress?.({
        rows: progress.rows,
        written: progress.written,
        chunks: progress.chunks,
        elapsedMs: performance.now() - t0,
      });
      await options.onChunk?.({ chunk: progress.chunks, afterKey: progress.afterKey! });
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
    if (cursor) await client.query(`CLOSE ${cursor}`).catch(() => {});
    if (locked) await client.query('SELECT pg_advisory_unlock(hashtext($1))', [lockKey]).catch(() => {});
    client.release();
  }
}
