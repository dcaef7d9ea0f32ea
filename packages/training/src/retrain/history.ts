/**
 * What a pipeline did, queryable afterwards (Q14): per scheduled slot its terminal record, the attempts
 * and workers that ran it, its step timings (the attempt that recorded it), and the counts the lab and
 * the fault tests assert on (ticks per slot, champion moves per run). `pnpm retrain history` prints it.
 */
import type pg from 'pg';
import { type TerminalRecord, toRecord } from './promote.ts';

export interface SlotHistory extends TerminalRecord {
  /** Attempts that wrote at least one step (2+: the run was retried, e.g. after a worker died). */
  attempts: number[];
  workers: string[];
  stepsMs: Record<string, number>;
  /** Champion moves recorded with this run's key (the invariant: at most 1). */
  championMoves: number;
  ticks: number;
}

export async function runHistory(pool: pg.Pool, model: string): Promise<SlotHistory[]> {
  const runs = await pool.query('SELECT * FROM retrain_runs WHERE model = $1 ORDER BY slot', [model]);
  const steps = await pool.query<{ slot: number; attempt: number; step: string; worker: string; ms: number }>(
    'SELECT slot, attempt, step, worker, ms FROM retrain_steps WHERE model = $1 ORDER BY id',
    [model],
  );
  const ticks = await pool.query<{ slot: number; n: string }>(
    'SELECT slot, count(*) AS n FROM retrain_ticks WHERE model = $1 GROUP BY slot',
    [model],
  );
  const moves = await pool.query<{ move_key: string; n: string }>(
    `SELECT move_key, count(*) AS n FROM registry_alias_history
     WHERE name = $1 AND alias = 'champion' AND move_key IS NOT NULL GROUP BY move_key`,
    [model],
  );
  const moveCount = new Map(moves.rows.map((r) => [r.move_key, Number(r.n)]));
  const tickCount = new Map(ticks.rows.map((r) => [r.slot, Number(r.n)]));
  return runs.rows.map((row) => {
    const rec = toRecord(row);
    const mine = steps.rows.filter((s) => s.slot === rec.slot);
    const stepsMs: Record<string, number> = {};
    for (const s of mine.filter((s) => s.attempt === rec.attempt)) stepsMs[s.step] = s.ms;
    return {
      ...rec,
      attempts: [...new Set(mine.map((s) => s.attempt))],
      workers: [...new Set(mine.map((s) => s.worker))],
      stepsMs,
      championMoves: moveCount.get(rec.runId) ?? 0,
      ticks: tickCount.get(rec.slot) ?? 0,
    };
  });
}

const f3 = (x: unknown) => (typeof x === 'number' ? x.toFixed(3) : '-');
const ms = (x: number | undefined) => (x === undefined ? '-' : `${Math.round(x)}`);

export const HISTORY_HEAD = [
  'week',
  'outcome',
  'champion',
  'AUC new / champ',
  'rows train / holdout',
  'executions',
  'workers',
  'train ms',
  'reason',
];

/** One table row per slot, for labkit's out.table and the command line alike. */
export function historyRows(history: readonly SlotHistory[], reasonWidth = 60): string[][] {
  return history.map((h) => {
    const s = h.snapshot as Record<string, unknown>;
    const reason = h.reason.length > reasonWidth ? `${h.reason.slice(0, reasonWidth - 1)}…` : h.reason;
    const champ = h.championVersion === null ? '-' : `v${h.championVersion}`;
    const moved =
      h.outcome === 'promoted' && h.challengerVersion !== null ? ` -> v${h.challengerVersion}` : '';
    return [
      `w${h.slot}`,
      h.outcome,
      `${champ}${moved}`,
      `${f3(h.metrics.challengerAuc)} / ${f3(h.metrics.championAuc)}`,
      `${s.trainRows ?? '-'} / ${s.holdoutRows ?? '-'}`,
      String(h.attempts.length),
      h.workers.join(','),
      ms(h.stepsMs.train),
      reason,
    ];
  });
}
