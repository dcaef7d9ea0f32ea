/**
 * Runs a whole pipeline from the outside (Q14, Q15), as a lab or a fault test does: worker processes
 * started at once (each upserts the schedule at boot), the schedule left to fire week after week on the
 * fast clock, a worker SIGKILLed where its stop point was armed, and a wait until every scheduled slot
 * has its terminal record and no run job is left (or a deadline, which is reported, never hidden). Then the workers are
 * stopped (SIGTERM), the queues obliterated (the namespace's Redis keys go with the services' close).
 */
import { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import type pg from 'pg';
import type { RetrainConfig } from './config.ts';
import { RUNS, TICKS } from './queues.ts';
import { spawnWorker, type WorkerProcess } from './spawn.ts';

export interface PipelineRun {
  /** Worker names SIGKILLed, with where they were stopped. */
  killed: { worker: string; at: string }[];
  /** Slots without a terminal record when the deadline passed (goal: none). */
  missing: number[];
  elapsedMs: number;
  /** Jobs BullMQ holds at the end, per state (failed: exhausted retries). */
  jobCounts: Record<string, number>;
}

export interface PipelineOptions {
  workers: number;
  /**
   * Stop points armed in every worker (`train:<slot>`, `after-finish:<slot>`): the worker that reaches one
   * in a slot's first execution stops there (each worker at most once) and is killed with SIGKILL.
   */
  stopAt?: string[];
  deadlineMs?: number;
  /** Called when each worker is ready and when one is killed. */
  onEvent?: (line: string) => void;
  /** After the workers are up: e.g. a duplicate trigger added by hand. */
  whileRunning?: (queues: { ticks: Queue; runs: Queue }) => Promise<void>;
}

async function terminalCount(pool: pg.Pool, c: RetrainConfig): Promise<Set<number>> {
  const { rows } = await pool.query<{ slot: number }>('SELECT slot FROM retrain_runs WHERE model = $1', [
    c.model,
  ]);
  return new Set(rows.map((r) => r.slot));
}

export async function runPipeline(
  pool: pg.Pool,
  redis: () => Redis,
  config: RetrainConfig,
  options: PipelineOptions,
): Promise<PipelineRun> {
  const t0 = performance.now();
  const procs: WorkerProcess[] = [];
  const killed: PipelineRun['killed'] = [];
  const ticks = new Queue(TICKS, { connection: redis(), prefix: config.redis.prefix });
  const runs = new Queue(RUNS, { connection: redis(), prefix: config.redis.prefix });
  try {
    for (let i = 0; i < options.workers; i++)
      procs.push(spawnWorker(config, `w${i + 1}`, options.stopAt?.join(',')));
    await Promise.all(procs.map((p) => p.waitFor('ready\n')));
    options.onEvent?.(
      `${procs.length} worker processes ready (pids ${procs.map((p) => p.proc.pid).join(', ')})`,
    );
    // A stopped worker is killed the moment it says so: mid-training, or after its commit.
    const watchers = procs.map(async (p) => {
      if (!options.stopAt?.length) return;
      await p.waitFor('stopped ', options.deadlineMs ?? 120_000).catch(() => {});
      const at = p.out().match(/stopped (\S+ \d+)/)?.[1];
      if (!at) return;
      await p.kill('SIGKILL');
      killed.push({ worker: p.name, at });
      options.onEvent?.(`SIGKILL ${p.name} (pid ${p.proc.pid}) stopped at ${at}`);
    });
    await options.whileRunning?.({ ticks, runs });
    const slots = config.lastSlot - config.firstSlot + 1;
    const deadline = Date.now() + (options.deadlineMs ?? 120_000);
    // Done: every slot terminal, and no run job still held or queued (a killed worker's job is retried
    // after its lock lapses, possibly after the later slots have finished: that retry is waited for too).
    const pending = async () => {
      const c = await runs.getJobCounts('active', 'waiting', 'delayed', 'prioritized');
      return Object.values(c).reduce((a, b) => a + b, 0);
    };
    let done = await terminalCount(pool, config);
    while ((done.size < slots || (await pending()) > 0) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
      done = await terminalCount(pool, config);
    }
    await Promise.race([Promise.all(watchers), new Promise((r) => setTimeout(r, 100))]);
    const missing: number[] = [];
    for (let s = config.firstSlot; s <= config.lastSlot; s++) if (!done.has(s)) missing.push(s);
    const jobCounts = await runs.getJobCounts('completed', 'failed', 'active', 'waiting', 'delayed');
    return { killed, missing, elapsedMs: performance.now() - t0, jobCounts };
  } finally {
    await Promise.all(procs.map((p) => p.kill('SIGTERM')));
    await ticks.removeJobScheduler(`weekly-${config.model}`).catch(() => false);
    for (const q of [ticks, runs]) {
      await q.obliterate({ force: true }).catch(() => {});
      await q.close();
    }
  }
}
