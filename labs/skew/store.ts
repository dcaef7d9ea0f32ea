/**
 * The customer aggregate, through the feature store (Q8, Q5): ONE pipeline computes `txn_count_7d`
 * after every payment and writes the rows to the offline source (Postgres) and, as they happen, to
 * the online store (Redis). Training joins it point-in-time (`getHistoricalFeatures`); serving reads
 * the online store at request time (`getOnlineFeatures`). One definition and one writer feed both
 * stores, which is why this feature cannot skew the way the hand-written ones in serving.ts can.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import {
  createSourceTable,
  defineFeatureView,
  type FeatureRow,
  getHistoricalFeatures,
  getOnlineFeatures,
  insertFeatureRows,
  materialize,
  writeOnline,
} from '@mlops-lab/feature-store';
import type { Services } from '@mlops-lab/services';
import { DAY_MS } from './world.ts';

/** The aggregate is written this long after the payment that changed it (a streaming job's lag). */
const PIPELINE_LAG_MS = 2 * 60 * 1000;

export const activityView = defineFeatureView({
  name: 'customer_activity',
  entity: { name: 'customer', joinKeys: ['customer_id'] },
  source: {
    table: 'customer_activity',
    eventTimestampColumn: 'event_ts',
    createdTimestampColumn: 'created_ts',
  },
  features: [{ name: 'txn_count_7d', type: 'float', description: "customer's payments in the last 7 days" }],
  // A customer silent for a week has no valid value: both stores say "missing", the model reads 0.
  ttlMs: 7 * DAY_MS,
  owner: 'payments-risk',
  description: 'Rolling payment count per customer, updated after every payment',
});

/** The pipeline: replays payments in time order and emits one row per payment. */
export function activityRows(payments: PaymentEvent[]): FeatureRow[] {
  const recent = new Map<string, number[]>();
  const rows: FeatureRow[] = [];
  for (const p of [...payments].sort((a, b) => a.timestamp - b.timestamp)) {
    const times = (recent.get(p.customerId) ?? []).filter((t) => t > p.timestamp - 7 * DAY_MS);
    times.push(p.timestamp);
    recent.set(p.customerId, times);
    rows.push({
      entityId: p.customerId,
      eventTimestamp: p.timestamp + PIPELINE_LAG_MS,
      createdTimestamp: p.timestamp + PIPELINE_LAG_MS,
      values: { txn_count_7d: times.length },
    });
  }
  return rows;
}

export async function loadActivity(services: Services, rows: FeatureRow[]): Promise<void> {
  await createSourceTable(services.pg, activityView);
  await insertFeatureRows(services.pg, activityView, rows);
}

/** Offline (training, and the recompute): the value as of each (customer, time), point-in-time. */
export async function historicalCounts(
  services: Services,
  points: { customerId: string; timestamp: number }[],
): Promise<(number | null)[]> {
  const rows = await getHistoricalFeatures(services.pg, {
    view: activityView,
    entityRows: points.map((p) => ({ entityId: p.customerId, timestamp: p.timestamp })),
  });
  return rows.map((r) => (r.values.txn_count_7d === null ? null : Number(r.values.txn_count_7d)));
}

/**
 * The online side during serving. `open` materializes everything before serving starts (the batch
 * load); afterwards the pipeline pushes each row when its event time has passed. `read` first
 * pushes the customer's rows that are due, then reads at the request time: per customer that is the
 * order the real streaming job and the real server would have produced.
 */
export class OnlineCounts {
  private readonly pending = new Map<string, FeatureRow[]>();

  constructor(
    private readonly services: Services,
    streamed: FeatureRow[],
  ) {
    for (const row of streamed) {
      const id = String(row.entityId);
      const list = this.pending.get(id) ?? [];
      list.push(row);
      this.pending.set(id, list);
    }
  }

  static async open(services: Services, rows: FeatureRow[], from: number, servingStart: number) {
    await materialize(services, activityView, from, servingStart);
    return new OnlineCounts(
      services,
      rows.filter((r) => r.eventTimestamp >= servingStart),
    );
  }

  async read(customerId: string, now: number): Promise<number | null> {
    const queue = this.pending.get(customerId) ?? [];
    let due = 0;
    while (due < queue.length && queue[due].eventTimestamp <= now) due++;
    // Newer wins in the store, so pushing only the newest due row leaves it as pushing them all would.
    if (due > 0) {
      const row = queue[due - 1];
      await writeOnline(this.services, activityView, [
        {
          keys: { customer_id: customerId },
          eventTimestamp: row.eventTimestamp,
          createdTimestamp: row.createdTimestamp,
          values: row.values,
        },
      ]);
      queue.splice(0, due);
    }
    const [served] = await getOnlineFeatures(this.services, activityView, [{ customer_id: customerId }], {
      now,
    });
    const v = served.values.txn_count_7d;
    return v === undefined || v === null ? null : Number(v);
  }
}
