/**
 * The customer aggregate, through the feature store (Q8, Q5): ONE pipeline (datagen's customer
 * activity pipeline, the one the customer-history world runs) computes `txn_count_7d` after every
 * payment and dispute, and its rows go to the offline source (Postgres) and, as they happen, to the
 * online store (Redis) of the payments world's `customer_activity` view (@mlops-lab/payments).
 * Training joins it point-in-time (`getHistoricalFeatures`); serving reads the online store at
 * request time (`getOnlineFeatures`). One definition and one writer feed both stores, which is why
 * this feature cannot skew the way the hand-written ones in serving.ts can.
 */
import { customerActivityRows, fraudDisputes, type PaymentEvent } from '@mlops-lab/datagen';
import {
  createSourceTable,
  getHistoricalFeatures,
  getOnlineFeatures,
  insertFeatureRows,
  materialize,
  type OnlineRow,
  writeOnline,
} from '@mlops-lab/feature-store';
import { activitySourceRows, customerActivityView } from '@mlops-lab/payments';
import type { Services } from '@mlops-lab/services';

/** The pipeline: replays the payments and the disputes their frauds cause, in time order. */
export function activityRows(payments: PaymentEvent[], seed: number): OnlineRow[] {
  const ordered = [...payments].sort((a, b) => a.timestamp - b.timestamp);
  return activitySourceRows(customerActivityRows(ordered, fraudDisputes(ordered, seed)));
}

export async function loadActivity(services: Services, rows: OnlineRow[]): Promise<void> {
  await createSourceTable(services.pg, customerActivityView);
  await insertFeatureRows(services.pg, customerActivityView, rows);
}

/** Offline (training, and the recompute): the value as of each (customer, time), point-in-time. */
export async function historicalCounts(
  services: Services,
  points: { customerId: string; timestamp: number }[],
): Promise<(number | null)[]> {
  const rows = await getHistoricalFeatures(services.pg, {
    view: customerActivityView,
    features: ['txn_count_7d'],
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
  private readonly pending = new Map<string, OnlineRow[]>();

  constructor(
    private readonly services: Services,
    streamed: OnlineRow[],
  ) {
    for (const row of streamed) {
      const id = String(row.keys.customer_id);
      const list = this.pending.get(id) ?? [];
      list.push(row);
      this.pending.set(id, list);
    }
  }

  static async open(services: Services, rows: OnlineRow[], from: number, servingStart: number) {
    await materialize(services, customerActivityView, from, servingStart);
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
      await writeOnline(this.services, customerActivityView, [queue[due - 1]]);
      queue.splice(0, due);
    }
    const [served] = await getOnlineFeatures(
      this.services,
      customerActivityView,
      [{ customer_id: customerId }],
      { now, features: ['txn_count_7d'] },
    );
    const v = served.values.txn_count_7d;
    return v === undefined || v === null ? null : Number(v);
  }
}
