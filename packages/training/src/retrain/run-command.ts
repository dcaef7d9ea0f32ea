/**
 * `pnpm retrain run` (Q14): the weekly pipeline outside the lab, into the kept `retrain` schema, so
 * `pnpm retrain history` has runs to show. The feed (26 weeks of payments, the fraud pattern changing in
 * week 6) is seeded once, on the first call; worker processes are started, each upserts the schedule,
 * and the fast clock runs weeks 2..(1 + weeks). A week that already has its terminal record is never run
 * again: a second call with the same --weeks starts no worker, a call with more weeks starts the clock
 * at the first week without a record and runs only the new ones.
 */
import { mkdirSync } from 'node:fs';
import { artifactsRoot } from '@mlops-lab/registry';
import type { ServicesWithExtras } from '@mlops-lab/services';
import { pipelineConfig, SIM_START } from './config.ts';
import { runPipeline } from './coordinator.ts';
import { seedFeed } from './feed.ts';
import { HISTORY_HEAD, historyRows, runHistory } from './history.ts';

export const FEED_WEEKS = 26;
export const RUN_LIMITS = { weeks: { min: 1, max: FEED_WEEKS - 1 }, workers: { min: 1, max: 4 } } as const;
const PER_WEEK = 2000;
const SHIFT_WEEK = 6;

export interface RunOptions {
  model: string;
  weeks: number;
  workers: number;
  seed: number;
}

/** Seeds the feed unless it holds rows already; says which. */
async function ensureFeed(services: ServicesWithExtras, seed: number, log: (line: string) => void) {
  const { rows } = await services.pg.query<{ n: string }>('SELECT count(*) AS n FROM retrain_feed');
  if (Number(rows[0].n) > 0) {
    log(`feed: ${rows[0].n} payments already in schema ${services.schema} (seeded by an earlier run)`);
    return;
  }
  const t0 = performance.now();
  const feed = await seedFeed(services.pg, {
    seed,
    simStart: SIM_START,
    weeks: FEED_WEEKS,
    paymentsPerWeek: PER_WEEK,
    shiftWeek: SHIFT_WEEK,
  });
  log(
    `feed: seeded ${feed.payments} payments over ${FEED_WEEKS} weeks (fraud pattern changes in week ${SHIFT_WEEK}) ` +
      `and ${feed.activityRows} customer_activity rows in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
  );
}

/** Runs the pipeline; returns the exit code (0: every week has its terminal record). */
export async function retrainRun(
  services: ServicesWithExtras,
  options: RunOptions,
  log: (line: string) => void = console.log,
): Promise<number> {
  await ensureFeed(services, options.seed, log);
  const lastSlot = 1 + options.weeks;
  const { rows } = await services.pg.query<{ slot: number }>(
    'SELECT slot FROM retrain_runs WHERE model = $1 AND slot <= $2',
    [options.model, lastSlot],
  );
  const done = new Set(rows.map((r) => r.slot));
  // Weeks already terminal are never run again: the clock starts at the first week without a record.
  let firstSlot = 2;
  while (firstSlot <= lastSlot && done.has(firstSlot)) firstSlot++;
  let missing: number[] = [];
  let elapsed = '';
  if (firstSlot > lastSlot) {
    log(`pipeline: ${options.model}, weeks 2..${lastSlot} all have their terminal record: nothing to run`);
  } else {
    const root = artifactsRoot();
    mkdirSync(root, { recursive: true });
    const config = pipelineConfig({
      model: options.model,
      services,
      firstSlot,
      lastSlot,
      paymentsPerWeek: PER_WEEK,
      seed: options.seed,
      weekRealMs: 1000,
      artifactsRoot: root,
      // BullMQ's default lock: a worker that dies holding a run frees it ~30 s later.
      lockDurationMs: 30_000,
      stalledIntervalMs: 5_000,
    });
    log(
      `pipeline: ${options.model}, weeks ${firstSlot}..${lastSlot} on a clock of ${config.clock.weekRealMs} ms per week, ` +
        `${options.workers} worker processes`,
    );
    const run = await runPipeline(
      services.pg,
      () => services.newRedis({ maxRetriesPerRequest: null }),
      config,
      { workers: options.workers, deadlineMs: 60_000 + options.weeks * 5_000, onEvent: log },
    );
    missing = run.missing;
    elapsed = ` in ${(run.elapsedMs / 1000).toFixed(1)} s`;
  }
  const history = (await runHistory(services.pg, options.model)).filter((h) => h.slot <= lastSlot);
  log(HISTORY_HEAD.join(' | '));
  for (const r of historyRows(history, 80)) log(r.join(' | '));
  const counts = ['promoted', 'rejected', 'skipped'].map(
    (o) => `${history.filter((h) => h.outcome === o).length} ${o}`,
  );
  log(
    `${history.length} of ${options.weeks} weeks terminal (${counts.join(', ')})${elapsed}` +
      (missing.length ? `; no record for weeks ${missing.join(', ')}` : ''),
  );
  return missing.length === 0 ? 0 : 1;
}
