/**
 * The one place a scheduled run ends (Q15): its terminal record (promoted, rejected or skipped, with the
 * reason) and, for a promotion, the champion's move, in ONE Postgres transaction. BullMQ delivers a job
 * at least once: a worker can die after this commit and before it acknowledges the job, and the job then
 * runs again. So the transaction is idempotent by construction:
 * - `retrain_runs` has one row per (model, slot): a second attempt's INSERT finds the row and writes
 *   nothing (it returns the first attempt's record);
 * - the alias move is registry's `compareAndSetAlias`, keyed by the run id and expecting the champion the
 *   run compared against, so it never moves twice for one run and never over a champion it did not beat
 *   (a moved champion turns the promotion into a rejection with that reason).
 */
import { compareAndSetAlias } from '@mlops-lab/registry';
import { inTransaction } from '@mlops-lab/services';
import type pg from 'pg';

export type Outcome = 'promoted' | 'rejected' | 'skipped';

export interface TerminalRecord {
  model: string;
  slot: number;
  runId: string;
  outcome: Outcome;
  reason: string;
  attempt: number;
  worker: string;
  championVersion: number | null;
  challengerVersion: number | null;
  snapshot: Record<string, unknown>;
  metrics: Record<string, unknown>;
}

export interface Finished {
  /** false: an earlier attempt had recorded this slot; `record` is that attempt's. */
  recorded: boolean;
  record: TerminalRecord;
}

export const runIdOf = (model: string, slot: number) => `${model}:week-${slot}`;

interface Row {
  model: string;
  slot: number;
  run_id: string;
  outcome: Outcome;
  reason: string;
  attempt: number;
  worker: string;
  champion_version: number | null;
  challenger_version: number | null;
  snapshot: Record<string, unknown>;
  metrics: Record<string, unknown>;
}

export const toRecord = (r: Row): TerminalRecord => ({
  model: r.model,
  slot: r.slot,
  runId: r.run_id,
  outcome: r.outcome,
  reason: r.reason,
  attempt: r.attempt,
  worker: r.worker,
  championVersion: r.champion_version,
  challengerVersion: r.challenger_version,
  snapshot: r.snapshot,
  metrics: r.metrics,
});

/** Records the run's end; for `promoted`, moves `champion` from `championVersion` to `challengerVersion`. */
export async function finishRun(pool: pg.Pool, rec: TerminalRecord): Promise<Finished> {
  return inTransaction(pool, async (client) => {
    const inserted = await client.query<Row>(
      `INSERT INTO retrain_runs (model, slot, run_id, outcome, reason, attempt, worker, champion_version,
         challenger_version, snapshot, metrics)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10::jsonb, $11::jsonb)
       ON CONFLICT (model, slot) DO NOTHING RETURNING *`,
      [
        rec.model,
        rec.slot,
        rec.runId,
        rec.outcome,
        rec.reason,
        rec.attempt,
        rec.worker,
        rec.championVersion,
        rec.challengerVersion,
        JSON.stringify(rec.snapshot),
        JSON.stringify(rec.metrics),
      ],
    );
    if (inserted.rows.length === 0) {
      // An earlier attempt recorded this slot (committed, or the INSERT would have waited for it):
      // its record, read on this transaction's client, which writes nothing.
      const { rows } = await client.query<Row>('SELECT * FROM retrain_runs WHERE model = $1 AND slot = $2', [
        rec.model,
        rec.slot,
      ]);
      return { recorded: false, record: toRecord(rows[0]) };
    }
    let record = rec;
    if (rec.outcome === 'promoted' && rec.challengerVersion !== null) {
      const swap = await compareAndSetAlias(client, {
        name: rec.model,
        alias: 'champion',
        expected: rec.championVersion,
        version: rec.challengerVersion,
        reason: `${rec.runId}: ${rec.reason}`,
        key: rec.runId,
      });
      if (swap.outcome === 'conflict') {
        const reason = `champion moved to v${swap.current} while this run compared against v${rec.championVersion ?? '-'}`;
        await client.query(
          `UPDATE retrain_runs SET outcome = 'rejected', reason = $3 WHERE model = $1 AND slot = $2`,
          [rec.model, rec.slot, reason],
        );
        record = { ...rec, outcome: 'rejected', reason };
      }
    }
    return { recorded: true, record };
  });
}
