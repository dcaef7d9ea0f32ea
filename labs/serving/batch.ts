/**
 * The batch side of Q17: the same rows scored as BullMQ jobs by the package's batch job
 * (packages/model-server/src/batch-job.ts) with the same ServingModel the HTTP server runs, into a
 * Postgres table. Measured like the online run: wall time and this process's CPU over the job.
 * With embedded Postgres (PGlite, in this process) the database's work is in that CPU figure;
 * with a real Postgres server it is not.
 */
import {
  batchScoringWorker,
  enqueueBatchScoring,
  type ServingModel,
  scoringQueue,
  scoringTableSql,
} from '@mlops-lab/model-server';
import type { Services } from '@mlops-lab/services';

export const TABLE = 'payments_to_score';

export interface BatchRow {
  id: number;
  score: number | null;
  decision: string | null;
  error: string | null;
}

export interface BatchResult {
  rows: BatchRow[];
  jobs: number;
  wallMs: number;
  cpuMs: number;
  /** Time inside the model's preprocess, predictBatch and postprocess (synchronous CPU work). */
  modelMs: number;
}

/** The same model, with a stopwatch around each call: what share of the job is the model itself. */
function timed(model: ServingModel) {
  const t = { ms: 0 };
  const clock =
    <A extends unknown[], R>(fn: (...a: A) => R) =>
    (...a: A): R => {
      const t0 = performance.now();
      try {
        return fn(...a);
      } finally {
        t.ms += performance.now() - t0;
      }
    };
  const predict = async (rows: number[][]) => {
    const t0 = performance.now();
    const out = await model.predictBatch(rows);
    t.ms += performance.now() - t0;
    return out;
  };
  return {
    t,
    model: {
      ...model,
      preprocess: clock(model.preprocess),
      predictBatch: predict,
      postprocess: clock(model.postprocess),
    } satisfies ServingModel,
  };
}

/**
 * Loads the inputs (raw JSON text per row), runs the job to completion, reads the table back.
 * `progress` hears each phase and each finished chunk (a full run scores 44 chunks).
 */
export async function runBatchJob(
  services: Services,
  model: ServingModel,
  inputs: string[],
  chunkSize: number,
  progress: (text: string) => void = () => {},
): Promise<BatchResult> {
  const { pg } = services;
  progress(`loading ${inputs.length} rows into ${TABLE}`);
  await pg.query(scoringTableSql(TABLE));
  await pg.query(
    `INSERT INTO ${TABLE} (id, input) SELECT i, x FROM unnest($1::bigint[], $2::jsonb[]) AS u(i, x)`,
    [inputs.map((_, i) => i + 1), inputs],
  );
  // BullMQ needs its own blocking connections; the key prefix keeps this run's queue apart.
  const connection = () => services.redis.duplicate({ maxRetriesPerRequest: null });
  const prefix = services.key('bull');
  const connections = [connection(), connection()];
  const queue = scoringQueue(connections[0], prefix);
  const stopwatch = timed(model);
  const worker = batchScoringWorker(connections[1], prefix, pg, stopwatch.model);
  try {
    let completed = 0;
    let expected = Number.POSITIVE_INFINITY;
    const finished = new Promise<void>((resolve, reject) => {
      worker.on('completed', () => {
        completed++;
        progress(`${completed} of ${Number.isFinite(expected) ? expected : '?'} chunks scored`);
        if (completed >= expected) resolve();
      });
      worker.on('failed', (job, err) => {
        if (job && job.attemptsMade >= (job.opts.attempts ?? 1)) reject(err);
      });
    });
    const cpu0 = process.cpuUsage();
    const t0 = performance.now();
    const { chunks } = await enqueueBatchScoring(queue, pg, { table: TABLE, chunkSize });
    expected = chunks.length; // a fresh queue: every chunk got a new job
    finished.catch(() => {}); // awaited below unless every job finished before the count was known
    if (chunks.length > 0 && completed < expected) await finished;
    const cpu = process.cpuUsage(cpu0);
    const wallMs = performance.now() - t0;
    const { rows } = await pg.query<{
      id: string;
      score: number | null;
      decision: string | null;
      error: string | null;
    }>(`SELECT id, score, decision, error FROM ${TABLE} ORDER BY id`);
    return {
      rows: rows.map((r) => ({ ...r, id: Number(r.id), score: r.score === null ? null : Number(r.score) })),
      jobs: chunks.length,
      wallMs,
      cpuMs: (cpu.user + cpu.system) / 1000,
      modelMs: stopwatch.t.ms,
    };
  } finally {
    await worker.close();
    await queue.obliterate({ force: true }).catch(() => {});
    await queue.close();
    for (const c of connections) c.disconnect();
  }
}
