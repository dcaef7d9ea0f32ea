/**
 * What runs between the stores: the daily materialization schedule (offline -> online), and, under
 * `online-logic-fork`, the serving team's own job that rewrites one feature with its own code.
 */
import type { CustomerHistory } from '@mlops-lab/datagen';
import { getMaterializationState, materializeIncremental, writeOnline } from '@mlops-lab/feature-store';
import { activitySourceRows, customerActivityView } from '@mlops-lab/payments';
import type { Services } from '@mlops-lab/services';
import { DAY_MS, NOW_MS, START_MS } from './world.ts';

export interface JobRun {
  endMs: number;
  rows: number;
  written: number;
  ms: number;
  status: 'ok' | 'failed';
}

/** A first run up to a week ago, then one run per midnight up to now; the last `failing` runs fail. */
export async function runDailyJobs(
  services: Services,
  failing: number,
): Promise<{ runs: JobRun[]; watermark: number }> {
  const ends = [NOW_MS - 7 * DAY_MS];
  for (let d = 6; d >= 0; d--) ends.push(NOW_MS - d * DAY_MS);
  const runs: JobRun[] = [];
  for (const [i, endMs] of ends.entries()) {
    if (i >= ends.length - failing) {
      // The scheduler swallowed the error: the run is recorded as failed and nothing is written.
      runs.push({ endMs, rows: 0, written: 0, ms: 0, status: 'failed' });
      continue;
    }
    const r = await materializeIncremental(services, customerActivityView, endMs, { firstStartMs: START_MS });
    runs.push({ endMs, rows: r.rows, written: r.written, ms: r.elapsedMs, status: 'ok' });
  }
  const state = await getMaterializationState(services, customerActivityView.name);
  return { runs, watermark: state?.watermarkMs ?? START_MS };
}

/**
 * The fork: `avg_amount_7d` recomputed as the mean of each customer's last 7 payments (not the
 * payments of the last 7 days) and force-written over the materialized value.
 */
export async function forkedAvgAmountJob(services: Services, history: CustomerHistory): Promise<number> {
  const recent = new Map<string, number[]>();
  for (const p of history.payments) {
    if (p.timestamp >= NOW_MS) continue;
    const list = recent.get(p.customerId) ?? [];
    list.push(p.amount ?? 0);
    if (list.length > 7) list.shift();
    recent.set(p.customerId, list);
  }
  const latest = new Map<string, (typeof history.activity)[number]>();
  for (const row of history.activity) if (row.eventTimestamp <= NOW_MS) latest.set(row.entityId, row);
  const rows = activitySourceRows([...latest.values()]).map((row) => {
    const amounts = recent.get(String(row.keys.customer_id)) ?? [];
    const avg = amounts.length ? amounts.reduce((a, b) => a + b, 0) / amounts.length : null;
    return { ...row, values: { ...row.values, avg_amount_7d: avg } };
  });
  return writeOnline(services, customerActivityView, rows, { force: true });
}

export const dayLabel = (ms: number) => new Date(ms).toISOString().slice(0, 10);
