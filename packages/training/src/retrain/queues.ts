/**
 * The pipeline on BullMQ (Q14): a Job Scheduler (`upsertJobScheduler`, `every` one simulated week) puts
 * a `tick` on the ticks queue each week; a tick enqueues the run of its slot, and of any earlier slot
 * with no terminal record yet (a tick lost to a clock jump, an outage or a late boot is caught up, also
 * by a tick after the last slot), on the runs queue
 * with the job id `run-<slot>`: BullMQ ignores an add whose id exists, so a duplicate trigger for a
 * week starts no second run. Runs of one model finish in slot order (a run whose previous slot is not
 * terminal waits, `moveToDelayed` + `DelayedError`, BullMQ's documented manual delay), because each
 * compares against the champion the previous week left.
 * At-least-once: a worker that dies holding a job stops renewing its lock; after `lockDuration` a live
 * worker's stalled-job check (every `stalledInterval`) moves the job back to wait, and it runs again
 * (job.attemptsStarted counts the starts). promote.ts makes that second run harmless.
 * Reference: docs.bullmq.io (Job Schedulers, Stalled Jobs, Process Step Jobs / manually delaying).
 */
import { DelayedError, type Job, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import { scaledClock } from './clock.ts';
import type { RetrainConfig } from './config.ts';
import { type RunContext, runSlot } from './pipeline.ts';

export const TICKS = 'retrain-ticks';
export const RUNS = 'retrain-runs';
export const schedulerId = (model: string) => `weekly-${model}`;
export const runJobId = (slot: number) => `run-${slot}`;

export interface RunJob {
  slot: number;
}

/** Upserted by every worker process at boot; the same id and options, so they all mean one schedule. */
export async function upsertSchedule(ticks: Queue, c: RetrainConfig): Promise<void> {
  const clock = scaledClock(c.clock);
  await ticks.upsertJobScheduler(
    schedulerId(c.model),
    {
      every: c.clock.weekRealMs,
      startDate: clock.realAtSlot(c.firstSlot),
      // No endDate: BullMQ refuses an upsert whose end has passed, and a worker that booted late (a
      // loaded machine) would then fail to start at all. Ticks after the last slot catch up on what is
      // left and enqueue nothing more; the coordinator removes the scheduler when the run is over.
    },
    { name: 'tick', data: { model: c.model }, opts: { removeOnComplete: false, removeOnFail: false } },
  );
}

const RUN_OPTIONS = { attempts: 3, backoff: { type: 'fixed', delay: 200 } } as const;

async function terminalSlots(pool: pg.Pool, model: string): Promise<Set<number>> {
  const { rows } = await pool.query<{ slot: number }>('SELECT slot FROM retrain_runs WHERE model = $1', [
    model,
  ]);
  return new Set(rows.map((r) => r.slot));
}

/** A tick: which slot it is (from the scheduled millis), recorded, then the runs it is due. */
export async function processTick(
  job: Job,
  runs: Queue<RunJob>,
  pool: pg.Pool,
  c: RetrainConfig,
  worker: string,
): Promise<{ slot: number; enqueued: number[] }> {
  const clock = scaledClock(c.clock);
  // A scheduler's job id is `repeat:<scheduler id>:<scheduled millis>`; job.timestamp is when the job
  // was created (when the previous tick was taken), so it says nothing about the week.
  const millis = Number(job.id?.split(':').pop());
  const slot = typeof job.data?.slot === 'number' ? job.data.slot : clock.slotAt(millis);
  if (!Number.isFinite(slot)) throw new Error(`retrain: tick ${job.id} names no week`);
  await pool.query(
    'INSERT INTO retrain_ticks (job_id, model, slot, worker) VALUES ($1, $2, $3, $4) ON CONFLICT (job_id) DO NOTHING',
    [job.id, c.model, slot, worker],
  );
  if (slot < c.firstSlot) return { slot, enqueued: [] };
  const done = await terminalSlots(pool, c.model);
  const enqueued: number[] = [];
  for (let s = c.firstSlot; s <= Math.min(slot, c.lastSlot); s++) {
    if (done.has(s)) continue;
    await runs.add('run', { slot: s }, { jobId: runJobId(s), ...RUN_OPTIONS });
    enqueued.push(s);
  }
  return { slot, enqueued };
}

export interface PipelineWorkers {
  ticks: Queue;
  runs: Queue<RunJob>;
  tickWorker: Worker;
  runWorker: Worker<RunJob>;
  close(): Promise<void>;
}

/** One process's share of the pipeline: both queues, the schedule upserted, a worker on each queue. */
export async function startPipelineWorkers(
  redis: () => Redis,
  pool: pg.Pool,
  c: RetrainConfig,
  worker: string,
  at?: RunContext['at'],
): Promise<PipelineWorkers> {
  const prefix = c.redis.prefix;
  const ticks = new Queue(TICKS, { connection: redis(), prefix });
  const runs = new Queue<RunJob>(RUNS, { connection: redis(), prefix });
  await upsertSchedule(ticks, c);
  const stalled = { lockDuration: c.lockDurationMs, stalledInterval: c.stalledIntervalMs };
  const tickWorker = new Worker(TICKS, (job) => processTick(job, runs, pool, c, worker), {
    connection: redis(),
    prefix,
    concurrency: 1,
    ...stalled,
  });
  const runWorker = new Worker<RunJob>(
    RUNS,
    async (job, token) => {
      const slot = job.data.slot;
      if (slot > c.firstSlot && !(await terminalSlots(pool, c.model)).has(slot - 1)) {
        await job.moveToDelayed(Date.now() + 100, token);
        throw new DelayedError();
      }
      const finished = await runSlot({ pool, config: c, worker, attempt: job.attemptsStarted, at }, slot);
      return { outcome: finished.record.outcome, recorded: finished.recorded };
    },
    { connection: redis(), prefix, concurrency: 1, ...stalled },
  );
  // A failed attempt is retried by BullMQ (RUN_OPTIONS); errors are reported on the job, not thrown here.
  tickWorker.on('error', () => {});
  runWorker.on('error', () => {});
  await Promise.all([tickWorker.waitUntilReady(), runWorker.waitUntilReady()]);
  return {
    ticks,
    runs,
    tickWorker,
    runWorker,
    async close() {
      await Promise.all([tickWorker.close(), runWorker.close()]);
      await Promise.all([ticks.close(), runs.close()]);
    },
  };
}
