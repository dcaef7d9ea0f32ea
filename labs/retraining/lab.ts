/**
 * Lab `retraining` (Q14, Q15): a weekly retraining pipeline on BullMQ with three worker processes on one
 * queue, fast-forwarded through 8 (quick) or 12 simulated weeks. Each week the Job Scheduler fires a
 * tick, a worker pulls the last weeks from the feature store (point-in-time), validates, trains,
 * evaluates on the newest week against the champion (DeLong + paired bootstrap) and ends the run in one
 * terminal record, moving the champion only when the challenger is better. The fraud pattern changes
 * mid-way, so retraining has something to catch up with. The breaks: an empty upstream week, workers
 * SIGKILLed mid-training and after a promotion's commit, and a holdout that overlaps training.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import { aliasHistory, migrateRegistry } from '@mlops-lab/registry';
import {
  HISTORY_HEAD,
  historyRows,
  migrateRetrain,
  pipelineConfig,
  runHistory,
  runPipeline,
  SIM_START,
  seedFeed,
} from '@mlops-lab/training';
import { BREAKS, CHECK } from './breaks.ts';

const MODEL = 'payments-retrain';

const lab: LabDefinition = {
  name: 'retraining',
  title: 'Scheduled retraining on BullMQ: promote only if better, crash-safe, never twice',
  questions: [14, 15],
  needs: ['postgres', 'redis'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const slots = quick ? 8 : 12;
    const firstSlot = 2;
    const lastSlot = firstSlot + slots - 1;
    const shiftWeek = quick ? 4 : 6;
    const emptyWeek = 2; // slot 3 holds it out
    const perWeek = quick ? 1200 : 3000;

    const feed = await out.step(`Seed ${lastSlot} weeks of payments and customer aggregates`, async () => {
      await migrateRegistry(services);
      await migrateRetrain(services);
      return seedFeed(services.pg, {
        seed,
        simStart: SIM_START,
        weeks: lastSlot,
        paymentsPerWeek: perWeek,
        shiftWeek,
        emptyWeeks: fault === 'empty-week' ? [emptyWeek] : [],
      });
    });
    out.say(
      `${fmt.num(feed.payments)} payments (per week: ${feed.perWeek.join(', ')}), ${fmt.num(feed.activityRows)} ` +
        `customer_activity rows; the fraud pattern changes in week ${shiftWeek}`,
    );

    const artifactsRoot = mkdtempSync(join(tmpdir(), 'retraining-lab-'));
    const weekRealMs = quick ? 700 : 1000;
    const config = pipelineConfig({
      model: MODEL,
      services,
      firstSlot,
      lastSlot,
      paymentsPerWeek: perWeek,
      seed,
      weekRealMs,
      artifactsRoot,
      overlapHoldout: fault === 'metric-gaming',
    });
    const crashes = fault === 'worker-crash' ? [`after-finish:${firstSlot}`, `train:${shiftWeek + 2}`] : [];
    let duplicateTicks = 0;
    const run = await out.step(
      `Three worker processes, ${slots} weeks on a clock of ${weekRealMs} ms per week`,
      async () => {
        try {
          return await runPipeline(
            services.pg,
            () => services.redis.duplicate({ maxRetriesPerRequest: null }),
            config,
            {
              workers: 3,
              stopAt: crashes,
              deadlineMs: quick ? 60_000 : 120_000,
              onEvent: (line) => out.say(line),
              whileRunning: async ({ ticks }) => {
                // A duplicate trigger for the first week, once it has finished: no second run may start.
                const until = Date.now() + 30_000;
                while (Date.now() < until) {
                  const { rows } = await services.pg.query('SELECT 1 FROM retrain_runs WHERE slot = $1', [
                    firstSlot,
                  ]);
                  if (rows.length > 0) break;
                  await new Promise((r) => setTimeout(r, 100));
                }
                await ticks.add('tick', { model: MODEL, slot: firstSlot }, { jobId: `manual-${firstSlot}` });
                duplicateTicks = 1;
              },
            },
          );
        } finally {
          rmSync(artifactsRoot, { recursive: true, force: true });
        }
      },
    );
    out.pointer('packages/training/src/retrain/queues.ts', 'the Job Scheduler, the tick and the run workers');

    const history = await runHistory(services.pg, MODEL);
    out.table(HISTORY_HEAD, historyRows(history, 44));
    out.pointer(
      'packages/training/src/retrain/promote.ts',
      'the terminal record and the champion move in one transaction',
    );
    const moves = (await aliasHistory(services.pg, MODEL, 'champion')).length;
    const scheduled = await services.pg.query<{ slot: number; n: string; ids: string }>(
      `SELECT slot, count(*) AS n, string_agg(job_id, ' ') AS ids FROM retrain_ticks
       WHERE job_id LIKE 'repeat:%' GROUP BY slot ORDER BY slot`,
    );
    const ticksPerSlot = new Map(scheduled.rows.map((r) => [r.slot, Number(r.n)]));
    const firstPulls = await services.pg.query<{ n: string }>(
      `SELECT count(*) AS n FROM retrain_steps WHERE slot = $1 AND step = 'pull'`,
      [firstSlot],
    );
    const first = history.find((h) => h.slot === firstSlot);

    const promoted = history.filter((h) => h.outcome === 'promoted');
    const skipped = history.filter((h) => h.outcome === 'skipped');
    const retried = history.filter((h) => h.attempts.length > 1);
    const overlapping = history.filter((h) => Number(h.metrics.overlap ?? 0) > 0);
    const regressions = promoted.filter(
      (h) => typeof h.metrics.delta === 'number' && !(Number(h.metrics.delta) > 0),
    );
    const doubleMoves = history.filter((h) => h.championMoves > (h.outcome === 'promoted' ? 1 : 0));
    const lostMoves = promoted.filter((h) => h.championMoves !== 1);
    const badTicks = [...Array(slots).keys()]
      .map((i) => firstSlot + i)
      .filter((s) => (ticksPerSlot.get(s) ?? 0) > 1);
    const adapted = promoted.filter((h) => h.slot >= shiftWeek + 2);
    const slotList = (hs: { slot: number }[]) => hs.map((h) => `w${h.slot}`).join(', ') || 'none';
    out.say(
      `${run.killed.length} workers SIGKILLed${run.killed.map((k) => ` (${k.worker} at ${k.at})`).join('')}; ` +
        `BullMQ jobs: ${Object.entries(run.jobCounts)
          .map(([k, v]) => `${k} ${v}`)
          .join(', ')}; ${fmt.ms(run.elapsedMs)} for ${slots} simulated weeks`,
    );

    const checks: Check[] = [
      check(
        CHECK.terminal,
        run.missing.length === 0 && history.length === slots,
        `${history.length} of ${slots} weeks have a terminal record` +
          (run.missing.length ? `; missing ${run.missing.map((s) => `w${s}`).join(', ')}` : ''),
      ),
      check(
        CHECK.once,
        doubleMoves.length === 0 && lostMoves.length === 0 && moves === promoted.length,
        `${promoted.length} promotions, ${moves} champion moves in the registry history` +
          (doubleMoves.length ? `; moved twice: ${slotList(doubleMoves)}` : ''),
      ),
      check(
        CHECK.noRegression,
        regressions.length === 0,
        `promotions whose challenger did not beat the champion: ${slotList(regressions)}`,
      ),
      check(
        CHECK.schedule,
        badTicks.length === 0,
        `scheduler ticks per week: ${[...Array(slots).keys()].map((i) => ticksPerSlot.get(firstSlot + i) ?? 0).join(' ')}` +
          ` (weeks ticked twice: ${
            badTicks.map((s) => `w${s} ${scheduled.rows.find((r) => r.slot === s)?.ids}`).join(', ') || 'none'
          })`,
      ),
      check(
        CHECK.duplicate,
        duplicateTicks === 1 && first !== undefined && Number(firstPulls.rows[0].n) === first.attempts.length,
        `a second trigger for w${firstSlot}: ${firstPulls.rows[0].n} pulls for ${first?.attempts.length ?? 0} attempts`,
      ),
      check(
        CHECK.noSkip,
        skipped.length === 0,
        `skipped: ${skipped.map((h) => `w${h.slot} (${h.reason})`).join('; ') || 'none'}`,
      ),
      check(
        CHECK.firstAttempt,
        retried.length === 0 && run.killed.length === 0,
        `runs retried after a lost worker: ${slotList(retried)}`,
      ),
      check(
        CHECK.disjoint,
        overlapping.length === 0,
        `runs whose holdout overlapped training: ${slotList(overlapping)}`,
      ),
      check(
        CHECK.adapted,
        adapted.length > 0,
        `promotions of models trained after the shift (week ${shiftWeek}): ${slotList(adapted)}`,
      ),
    ];
    return {
      checks,
      metrics: {
        weeks: slots,
        promotions: promoted.length,
        championMoves: moves,
        skipped: skipped.length,
        retriedRuns: retried.length,
        workersKilled: run.killed.length,
        pipelineMs: run.elapsedMs,
      },
    };
  },
};

export default lab;
