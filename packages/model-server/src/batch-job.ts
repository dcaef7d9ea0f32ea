/**
 * Batch inference (Q17): score a Postgres table in chunks with the same ServingModel the HTTP server
 * uses, as BullMQ jobs. One job per id range with a deterministic job id, and a worker that scores
 * only rows whose score is still NULL: re-enqueueing after a crash skips finished chunks and redoes
 * only the unfinished rows, so the run is resumable by chunk and idempotent.
 * From BullMQ: Queue, Worker, retries; hand-written: chunk planning and the write-back.
 */
import { type ConnectionOptions, Queue, Worker } from 'bullmq';
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

/** Plans the id ranges still holding unscored rows and enqueues one job per chunk. */
export async function enqueueBatchScoring(
  queue: Queue<ChunkJob>,
  db: pg.Pool,
  { table, chunkSize }: ScoringTable,
): Promise<ChunkJob[]> {
  if (!(chunkSize >= 1)) throw new Error('batch scoring: chunkSize must be >= 1');
  const t = ident(table);
  const { rows } = await db.query<{ lo: string | null; hi: string | null }>(
    `SELECT min(id) AS lo, max(id) AS hi FROM ${t} WHERE score IS NULL AND error IS NULL`,
  );
  if (rows[0].lo === null) return [];
  const lo = Number(rows[0].lo);
  const hi = Number(rows[0].hi);
  const jobs: ChunkJob[] = [];
  for (let from = lo - (((lo % chunkSize) + chunkSize) % chunkSize); from <= hi; from += chunkSize) {
    jobs.push({ table, fromId: from, toId: from + chunkSize - 1 });
  }
  await queue.addBulk(
    jobs.map((data) => ({
      name: 'score-chunk',
      data,
      // Chunk-aligned ids: an id already queued is not queued twice.
      opts: { jobId: `${table}-${data.fromId}`, attempts: 3, backoff: { type: 'fixed', delay: 100 } },
    })),
  );
  return jobs;
}

/** Scores one chunk: preprocess each row (a bad row is marked, not fatal), one batch call, write back. */
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
  // One statement per chunk: the chunk is written entirely or not at all.
  await db.query(
    `UPDATE ${t} AS t SET score = u.score, decision = u.decision, error = u.error
       FROM unnest($1::bigint[], $2::real[], $3::text[], $4::text[]) AS u(id, score, decision, error)
      WHERE t.id = u.id`,
    [
      [...good.map((g) => g.id), ...bad.map((b) => b.id)],
      [...scores, ...bad.map(() => null)],
      [...decisions, ...bad.map(() => null)],
      [...good.map(() => null), ...bad.map((b) => b.error)],
    ],
  );
  return rows.length;
}

/** A BullMQ worker that runs `scoreChunk`; close it with `worker.close()`. */
export function batchScoringWorker(
  connection: ConnectionOptions,
  prefix: string,
  db: pg.Pool,
  model: ServingModel,
  name = 'batch-scoring',
): Worker<ChunkJob, number> {
  return new Worker<ChunkJob, number>(name, (job) => scoreChunk(db, model, job.data), {
    connection,
    prefix,
    concurrency: 1, // one Postgres connection is enough and embedded Postgres has only one
  });
}
