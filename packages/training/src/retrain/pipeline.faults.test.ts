/**
 * The retraining pipeline under a crash (Q14, Q15), on real Postgres and Redis: two worker processes on
 * one queue, one SIGKILLed at a point the test arms (STOP_AT, worker-main.ts: the worker prints that it
 * stopped there and waits, so the kill lands exactly there, not after a sleep). BullMQ's stalled-job
 * check gives the dead worker's job to the other one. Counted, and each asserted: every scheduled run
 * ends in exactly one terminal record, every run job completes (none failed, none left waiting), the
 * champion moves exactly once per promoted run and never for another, the killed run was executed
 * twice and no other run more than once, and duplicate triggers for a week (a tick naming it while it
 * runs, a tick and a run job with its id after it finished) start no further execution.
 * No assertion on time.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { aliasHistory, migrateRegistry } from '@mlops-lab/registry';
import { testServices } from '@mlops-lab/services/vitest';
import { afterAll, describe, expect, it } from 'vitest';
import { pipelineConfig, SIM_START } from './config.ts';
import { type PipelineRun, runPipeline } from './coordinator.ts';
import { seedFeed } from './feed.ts';
import { runHistory } from './history.ts';
import { runJobId } from './queues.ts';
import { migrateRetrain } from './schema.ts';

const FIRST = 2;
const LAST = 6;
const SLOTS = LAST - FIRST + 1;
const PER_WEEK = 1000;

const services = testServices({
  needs: ['postgres', 'redis'],
  namespace: 'retrain_faults',
  prepare: async (s) => {
    await migrateRegistry(s);
    await migrateRetrain(s);
    await seedFeed(s.pg, {
      seed: 7,
      simStart: SIM_START,
      weeks: LAST,
      paymentsPerWeek: PER_WEEK,
      shiftWeek: 4,
    });
  },
});
const artifactsRoot = mkdtempSync(join(tmpdir(), 'retrain-faults-'));
afterAll(() => rmSync(artifactsRoot, { recursive: true, force: true }));

const config = (model: string) =>
  pipelineConfig({
    model,
    services,
    firstSlot: FIRST,
    lastSlot: LAST,
    paymentsPerWeek: PER_WEEK,
    seed: 7,
    weekRealMs: 700,
    artifactsRoot,
    epochs: 100,
  });

const count = async (sql: string, params: unknown[]) =>
  Number((await services.pg.query<{ n: string }>(sql, params)).rows[0].n);

/** Executions of each slot: the attempts that pulled its data (a pull is a run's first step). */
async function pullsPerSlot(model: string): Promise<Map<number, number>> {
  const { rows } = await services.pg.query<{ slot: number; n: string }>(
    `SELECT slot, count(*) AS n FROM retrain_steps WHERE model = $1 AND step = 'pull' GROUP BY slot`,
    [model],
  );
  return new Map(rows.map((r) => [r.slot, Number(r.n)]));
}

/** What every crashed pipeline must show, whatever the point of the crash. */
async function expectNothingLostNothingTwice(model: string, run: PipelineRun, killedSlot: number) {
  // All runs complete: every slot terminal, every run job completed, none failed or still queued.
  expect(run.missing).toEqual([]);
  expect(run.jobCounts).toMatchObject({ completed: SLOTS, failed: 0, active: 0, waiting: 0, delayed: 0 });
  expect(await count('SELECT count(*) AS n FROM retrain_runs WHERE model = $1', [model])).toBe(SLOTS);
  const history = await runHistory(services.pg, model);
  expect(history.map((h) => h.slot)).toEqual([2, 3, 4, 5, 6]);

  // Exactly one promotion per promoted run, none for any other, and the registry agrees.
  const promoted = history.filter((h) => h.outcome === 'promoted');
  expect(promoted.length).toBeGreaterThanOrEqual(1);
  expect(history.map((h) => h.championMoves)).toEqual(history.map((h) => (h.outcome === 'promoted' ? 1 : 0)));
  const moves = await aliasHistory(services.pg, model, 'champion');
  expect(moves.map((m) => [m.fromVersion, m.toVersion, m.reason.split(':').slice(0, 2).join(':')])).toEqual(
    promoted.map((h) => [h.championVersion, h.challengerVersion, h.runId]),
  );

  // The killed run was executed twice, by both workers; every other run once.
  const killed = history.find((h) => h.slot === killedSlot)!;
  expect(killed.attempts).toHaveLength(2);
  expect([...killed.workers].sort()).toEqual(['w1', 'w2']);
  const pulls = await pullsPerSlot(model);
  expect([...pulls.entries()].sort(([a], [b]) => a - b)).toEqual(
    history.map((h) => [h.slot, h.slot === killedSlot ? 2 : 1]),
  );
  return { history, killed };
}

describe('retraining with a worker SIGKILLed mid-job', () => {
  it('hands the workers the connection URLs unmasked (the printed ones hide the password)', () => {
    const c = config('retrain-urls');
    expect(c.postgres.url).not.toContain('***');
    expect(c.redis.url).not.toContain('***');
    if (process.env.DATABASE_URL) expect(c.postgres.url).toBe(process.env.DATABASE_URL);
  });

  it('mid-training: the stalled run is retried by the other worker, promoted once, nothing lost', async () => {
    const model = 'retrain-kill-train';
    let duplicates = 0;
    const run = await runPipeline(
      services.pg,
      () => services.newRedis({ maxRetriesPerRequest: null }),
      config(model),
      {
        workers: 2,
        stopAt: [`train:${FIRST}`],
        deadlineMs: 90_000,
        whileRunning: async ({ ticks, runs }) => {
          // A duplicate trigger while week FIRST is in flight (its job held by the worker about to die).
          await ticks.add('tick', { model, slot: FIRST }, { jobId: 'manual-during' });
          duplicates++;
          // And two once it is terminal: a tick naming it, and its run job added again by id.
          const until = Date.now() + 60_000;
          while (Date.now() < until) {
            if (
              (await count('SELECT count(*) AS n FROM retrain_runs WHERE slot = $1 AND model = $2', [
                FIRST,
                model,
              ])) > 0
            )
              break;
            await new Promise((r) => setTimeout(r, 100));
          }
          await ticks.add('tick', { model, slot: FIRST }, { jobId: 'manual-after' });
          await runs.add('run', { slot: FIRST }, { jobId: runJobId(FIRST) });
          duplicates += 2;
        },
      },
    );
    expect(run.killed).toEqual([{ worker: expect.stringMatching(/^w[12]$/), at: `train ${FIRST}` }]);
    expect(duplicates).toBe(3);
    const { killed } = await expectNothingLostNothingTwice(model, run, FIRST);
    // The first model is promoted on the value threshold, by the worker that survived, in attempt 2.
    expect(killed).toMatchObject({ outcome: 'promoted', attempt: 2, championVersion: null });
    expect(killed.worker).not.toBe(run.killed[0].worker);
    // The dead attempt's trace ends inside the train step (killed after the fit, before the artifact
    // was stored and registered): its pull and validate are recorded, nothing after.
    const { rows } = await services.pg.query<{ step: string }>(
      'SELECT step FROM retrain_steps WHERE model = $1 AND slot = $2 AND attempt = 1 ORDER BY id',
      [model, FIRST],
    );
    expect(rows.map((r) => r.step)).toEqual(['pull', 'validate']);
    // Every duplicate tick was taken and recorded, and enqueued nothing new.
    expect(
      await count("SELECT count(*) AS n FROM retrain_ticks WHERE model = $1 AND job_id LIKE 'manual-%'", [
        model,
      ]),
    ).toBe(2);
  }, 150_000);

  it('after the promotion committed, before BullMQ heard: the rerun writes nothing, the champion moved once', async () => {
    const model = 'retrain-kill-commit';
    const run = await runPipeline(
      services.pg,
      () => services.newRedis({ maxRetriesPerRequest: null }),
      config(model),
      { workers: 2, stopAt: [`after-finish:${FIRST}`], deadlineMs: 90_000 },
    );
    expect(run.killed).toEqual([{ worker: expect.stringMatching(/^w[12]$/), at: `after-finish ${FIRST}` }]);
    const { killed } = await expectNothingLostNothingTwice(model, run, FIRST);
    // The record is the dead worker's first attempt; the rerun found it and recorded nothing.
    expect(killed).toMatchObject({ outcome: 'promoted', attempt: 1, worker: run.killed[0].worker });
    const { rows } = await services.pg.query<{ attempt: number; detail: { recorded: boolean } }>(
      `SELECT attempt, detail FROM retrain_steps WHERE model = $1 AND slot = $2 AND step = 'finish' ORDER BY id`,
      [model, FIRST],
    );
    expect(rows.map((r) => [r.attempt, r.detail.recorded])).toEqual([
      [1, true],
      [2, false],
    ]);
  }, 150_000);
});
