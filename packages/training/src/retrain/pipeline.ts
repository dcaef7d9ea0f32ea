/**
 * One scheduled run, step by step (Q14, Q15): pull the window from the feature store (point-in-time),
 * validate it (validate.ts: row counts and ML CI's data gate), train, evaluate on the holdout week against the champion, and end in exactly one terminal
 * record (promote.ts). Every step of every attempt is written to `retrain_steps` with its timing, so a
 * retried run shows its crashed attempt too. The steps are pure functions of the slot's data, so a retry
 * recomputes the same snapshot and the same artifact hash (the registry returns the version it made).
 */
import { getAlias, getVersion, loadArtifact, putArtifact, registerModel } from '@mlops-lab/registry';
import type pg from 'pg';
import { WEEK_MS } from './clock.ts';
import type { RetrainConfig } from './config.ts';
import { pullWindow, snapshotHash } from './data.ts';
import { evaluateGate } from './gate.ts';
import { modelFiles, readModelArtifact, scoreModel, trainModel } from './model.ts';
import { type Finished, finishRun, runIdOf } from './promote.ts';
import { holdoutOverlap, validateWindow } from './validate.ts';

export interface RunContext {
  pool: pg.Pool;
  config: RetrainConfig;
  worker: string;
  attempt: number;
  /**
   * Called at two points of a run, with whether this is the slot's first execution (no steps of an
   * earlier attempt): the fault tests stop a worker there (`train` = mid-training).
   */
  at?: (point: 'train' | 'after-finish', slot: number, first: boolean) => Promise<void>;
}

/** No step of another attempt recorded for this slot: the slot's first execution. */
async function firstExecution(ctx: RunContext, slot: number): Promise<boolean> {
  const { rows } = await ctx.pool.query(
    'SELECT 1 FROM retrain_steps WHERE model = $1 AND slot = $2 AND attempt <> $3 LIMIT 1',
    [ctx.config.model, slot, ctx.attempt],
  );
  return rows.length === 0;
}

async function step<T>(
  ctx: RunContext,
  slot: number,
  name: string,
  fn: () => Promise<T>,
  detail: (r: T) => Record<string, unknown>,
) {
  const t0 = performance.now();
  const result = await fn();
  const ms = performance.now() - t0;
  await ctx.pool.query(
    'INSERT INTO retrain_steps (model, slot, attempt, step, worker, ms, detail) VALUES ($1, $2, $3, $4, $5, $6, $7::jsonb)',
    [ctx.config.model, slot, ctx.attempt, name, ctx.worker, ms, JSON.stringify(detail(result))],
  );
  return result;
}

export async function runSlot(ctx: RunContext, slot: number): Promise<Finished> {
  const { config: c, pool } = ctx;
  const simStart = c.clock.simStart;
  const holdoutFrom = simStart + (slot - 1) * WEEK_MS;
  const holdoutTo = holdoutFrom + WEEK_MS;
  const trainFrom = holdoutFrom - c.trainWeeks * WEEK_MS;
  // The metric-gaming fault: training reads up to the end of the holdout week.
  const trainTo = c.overlapHoldout ? holdoutTo : holdoutFrom;
  const base = {
    model: c.model,
    slot,
    runId: runIdOf(c.model, slot),
    attempt: ctx.attempt,
    worker: ctx.worker,
    championVersion: null as number | null,
    challengerVersion: null as number | null,
  };

  const data = await step(
    ctx,
    slot,
    'pull',
    async () => {
      const train = await pullWindow(pool, simStart, Math.max(simStart, trainFrom), trainTo);
      const holdout = await pullWindow(pool, simStart, holdoutFrom, holdoutTo);
      return { train, holdout };
    },
    (d) => ({ train: d.train.length, holdout: d.holdout.length }),
  );
  const snapshot = {
    trainWeeks: `${Math.max(0, slot - 1 - c.trainWeeks)}..${c.overlapHoldout ? slot - 1 : slot - 2}`,
    holdoutWeek: slot - 1,
    trainRows: data.train.length,
    holdoutRows: data.holdout.length,
    trainHash: snapshotHash(data.train).slice(0, 12),
    holdoutHash: snapshotHash(data.holdout).slice(0, 12),
  };

  const problem = await step(
    ctx,
    slot,
    'validate',
    async () => validateWindow(data.train, data.holdout, `holdout week ${slot - 1}`, c),
    (v) => ({ problem: v.problem, drifted: v.drifted, expectations: v.expectations, failed: v.failed }),
  );
  if (problem.problem !== null) {
    return finishRun(pool, { ...base, outcome: 'skipped', reason: problem.problem, snapshot, metrics: {} });
  }

  const trained = await step(
    ctx,
    slot,
    'train',
    async () => {
      const model = trainModel(data.train, c.epochs);
      if (ctx.at) await ctx.at('train', slot, await firstExecution(ctx, slot));
      const art = await putArtifact(modelFiles(model), { root: c.artifactsRoot });
      const registered = await registerModel(pool, {
        name: c.model,
        hash: art.hash,
        dataRef: `${runIdOf(c.model, slot)} train ${snapshot.trainHash}`,
        codeVersion: null,
        metrics: {},
      });
      return { model, version: registered.version, reused: registered.reused };
    },
    (t) => ({ version: t.version, reused: t.reused }),
  );

  const evaluated = await step(
    ctx,
    slot,
    'evaluate',
    async () => {
      const championVersion = await getAlias(pool, c.model, 'champion');
      const champion =
        championVersion === null
          ? null
          : readModelArtifact(
              await loadArtifact((await getVersion(pool, c.model, championVersion)).hash, {
                root: c.artifactsRoot,
              }),
            );
      const overlap = holdoutOverlap(data.train, data.holdout);
      const gate = evaluateGate(
        {
          labels: data.holdout.map((r) => r.label),
          challenger: scoreModel(trained.model, data.holdout),
          champion: champion ? scoreModel(champion, data.holdout) : null,
          slices: data.holdout.map((r) => r.channel ?? 'missing'),
          overlap,
        },
        c.gate,
      );
      return { championVersion, gate, overlap };
    },
    (e) => ({ champion: e.championVersion, blessed: e.gate.blessed, reason: e.gate.reason }),
  );
  const g = evaluated.gate;
  const finished = await step(
    ctx,
    slot,
    'finish',
    () =>
      finishRun(pool, {
        ...base,
        championVersion: evaluated.championVersion,
        challengerVersion: trained.version,
        outcome: g.blessed ? 'promoted' : 'rejected',
        reason: g.reason,
        snapshot,
        metrics: {
          challengerAuc: g.challengerAuc,
          championAuc: g.championAuc,
          delta: g.delta,
          pValue: g.pValue,
          ci: g.ci,
          slices: g.slices,
          overlap: evaluated.overlap,
          // The data gate's drift findings on the holdout week: recorded, never blocking.
          drifted: problem.drifted,
        },
      }),
    (f) => ({ recorded: f.recorded, outcome: f.record.outcome, firstAttempt: f.record.attempt }),
  );
  if (ctx.at) await ctx.at('after-finish', slot, await firstExecution(ctx, slot));
  return finished;
}

/** For narration: the simulated date a slot runs at. */
export const slotDate = (simStart: number, slot: number) =>
  new Date(simStart + slot * WEEK_MS).toISOString().slice(0, 10);
