/**
 * Batch inference (Q17): score a Postgres table in chunks with the same ServingModel the HTTP server
 * uses, as BullMQ jobs. One job per id range, its id naming the range, and a worker that scores only
 * rows whose result is still NULL and writes a row only while it is still NULL.
 * Resumable: a re-run plans the ranges that still hold unscored rows and, per range, adds a job, re-runs
 * the kept failed or completed job of that id (`job.retry()`: BullMQ ignores an add whose id exists in
 * any state), or leaves a waiting / delayed / active job alone. So a re-run scores exactly the rows not
 * yet scored, and a row is never written twice (two workers on one range: the second writes nothing).
 * A worker killed mid-chunk: its lock expires and BullMQ's stalled-job check gives the chunk to another.
 * From BullMQ (docs.bullmq.io: Retrying failing jobs, Stalled jobs): Queue, Worker, retries, job.retry,
 * stalled recovery; hand-written: chunk planning, the per-range state check and the write-back.
 */
import { type ConnectionOptions, type JobState, Queue, Worker, type WorkerOptions } from 'bullmq';
import type pg from 'pg';
import type { ServingModel } from './model.ts';

export interface ScoringTable {
  /** Table with `id bigint primary key`, `input jsonb` (a request body) and `score real` (NULL = to do). */
  table: string;
  chunkSize: number;
}

export interface ChunkJob {
  table: string;
  fromId: number;
  toId: number;
}

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;
function ident(name: string): string {
  if (!IDENT.test(name)) throw new Error(`batch scoring: "${name}" is not a plain lower-case table name`);
  return `"${name}"`;
}

/** DDL for a scoring table (tests and labs create it with this). */
export const scoringTableSql = (table: string) =>
  `CREATE TABLE IF NOT EXISTS ${ident(table)} (id bigint PRIMARY KEY, input jsonb NOT NULL, score real, decision text, error text)`;

/** Queue name without ':' (BullMQ reserves it); namespacing goes in the key prefix instead. */
export function scoringQueue(
  connection: ConnectionOptions,
  prefix: string,
  name = 'batch-scoring',
): Queue<ChunkJob> {
  return new Queue<ChunkJob>(name, { connection, prefix });
}

export interface EnqueueResult {
  /** The id ranges that still hold unscored rows: each has a live job after this call. */
  chunks: ChunkJob[];
  /** Jobs this call put on the queue: new ones, and failed or completed ones re-run. */
  added: number;
  /** Ranges whose job was already waiting, delayed or active: left alone, that job scores them. */
  alreadyQueued: number;
}

/** Three attempts, then the job is failed and kept in Redis, where a re-run finds it by id. */
const JOB_OPTIONS = { attempts: 3, backoff: { type: 'fixed', delay: 100 } } as const;
const LIVE = new Set<JobState | 'unknown'>([
  'waiting',
  'delayed',
  'active',
  'prioritized',
  'waiting-children',
]);

/** The job id names the exact range, so a range has one job at a time and a changed chunkSize no clash. */
export const chunkJobId = (c: ChunkJob): string => `${c.table}-${c.fromId}-${c.toId}`;

/** Plans the id ranges still holding unscored rows and makes sure each has exactly one live job. */
export async function enqueueBatchScoring(
  queue: Queue<ChunkJob>,
  db: pg.Pool,
  { table, chunkSize }: ScoringTable,
): Promise<EnqueueResult> {
  if (!(chunkSize >= 1)) throw new Error('batch scoring: chunkSize must be >= 1');
  const t = ident(table);
  const { rows } = await db.query<{ lo: string | null; hi: string | null }>(
    `SELECT min(id) AS lo, max(id) AS hi FROM ${t} WHERE score IS NULL AND error IS NULL`,
  );
  if (rows[0].lo === null) return { chunks: [], added: 0, alreadyQueued: 0 };
  const lo = Number(rows[0].lo);
  const hi = Number(rows[0].hi);
  const chunks: ChunkJob[] = [];
  for (let from = lo - (((lo % chunkSize) + chunkSize) % chunkSize); from <= hi; from += chunkSize) {
    chunks.push({ table, fromId: from, toId: from + chunkSize - 1 });
  }
  const outcomes = await Promise.all(chunks.map((c) => queueChunk(queue, c)));
  const added = outcomes.filter((o) => o === 'added').length;
  return { chunks, added, alreadyQueued: chunks.length - added };
}

/** One range: add its job, re-run its finished job, or leave its live job be. */
async function queueChunk(queue: Queue<ChunkJob>, data: ChunkJob): Promise<'added' | 'queued'> {
  const jobId = chunkJobId(data);
  const job = await queue.getJob(jobId);
  if (!job) {
    // Two enqueuers racing here both count it as added; BullMQ still keeps one job per id.
    await queue.add('score-chunk', data, { jobId, ...JOB_OPTIONS });
    return 'added';
  }
  const state = await job.getState();
  if (state === 'failed' || state === 'completed') {
    try {
      // Atomic in Redis: moved back to wait only if still in that finished set; fresh attempts.
      await job.retry(state, { resetAttemptsMade: true, resetAttemptsStarted: true });
      return 'added';
    } catch (err) {
      if (LIVE.has(await job.getState())) return 'queued'; // another enqueuer re-ran it first
      throw err;
    }
  }
  if (LIVE.has(state)) return 'queued';
  throw new Error(`batch scoring: job ${jobId} is in no queue state (${state}); remove it and enqueue again`);
}

/**
 * Scores one chunk: preprocess each row (a bad row is marked, not fatal), one batch call, write back.
 * Returns the rows this call wrote: a row another worker wrote meanwhile is not written again.
 */
export async function scoreChunk(db: pg.Pool, model: ServingModel, job: ChunkJob): Promise<number> {
  const t = ident(job.table);
  const { rows } = await db.query<{ id: string; input: unknown }>(
    `SELECT id, input FROM ${t} WHERE id BETWEEN $1 AND $2 AND score IS NULL AND error IS NULL ORDER BY id`,
    [job.fromId, job.toId],
  );
  const good: { id: string; row: number[] }[] = [];
  const bad: { id: string; error: string }[] = [];
  for (const r of rows) {
    try {
      good.push({ id: r.id, row: model.preprocess(r.input) });
    } catch (err) {
      bad.push({ id: r.id, error: err instanceof Error ? err.message : String(err) });
    }
  }
  const scores = good.length ? await model.predictBatch(good.map((g) => g.row)) : new Float32Array();
  const decisions = [...scores].map((s) => model.postprocess(s).decision);
  // One statement per chunk: the chunk is written entirely or not at all. Only still-NULL rows: a
  // worker whose lock expired mid-chunk (the chunk went to another worker) cannot write a row twice.
  const written = await db.query(
    `UPDATE ${t} AS t SET score = u.score, decision = u.decision, error = u.error
       FROM unnest($1::bigint[], $2::real[], $3::text[], $4::text[]) AS u(id, score, decision, error)
      WHERE t.id = u.id AND t.score IS NULL AND t.error IS NULL`,
    [
      [...good.map((g) => g.id), ...bad.map((b) => b.id)],
      [...scores, ...bad.map(() => null)],
      [...decisions, ...bad.map(() => null)],
      [...good.map(() => null), ...bad.map((b) => b.error)],
    ],
  );
  return written.rowCount ?? 0;
}

/** Queue name and BullMQ's stalled-job settings (defaults: lock 30 s, check every 30 s, 1 stall allowed). */
export type WorkerTuning = { name?: string } & Pick<
  WorkerOptions,
  'lockDuration' | 'stalledInterval' | 'maxStalledCount'
>;

/**
 * A BullMQ worker that runs `scoreChunk`; close it with `worker.close()`. A chunk whose worker died is
 * handed on once its lock (`lockDuration`) lapses, found by a live worker's check every `stalledInterval`.
 * The check is queue-wide and runs at most once per interval of the worker that ran it last: give every
 * worker of a queue the same tuning.
 */
export function batchScoringWorker(
  connection: ConnectionOptions,
  prefix: string,
  db: pg.Pool,
  model: ServingModel,
  { name = 'batch-scoring', ...stalled }: WorkerTuning = {},
): Worker<ChunkJob, number> {
  return new Worker<ChunkJob, number>(name, (job) => scoreChunk(db, model, job.data), {
    connection,
    prefix,
    concurrency: 1, // one Postgres connection is enough and embedded Postgres has only one
    ...stalled,
  });
}
