/**
 * What happens to the payments table after the model was trained (Q13): a day of new payments,
 * late chargebacks that flip labels of past payments, and a customer's right to erasure deleting
 * all of their rows. Each change goes to the source table, where the versioning trigger records it;
 * `rewriteHistory` is the fault: a label fix written into the history itself, triggers skipped.
 */
import { generatePayments, mixSeed, mulberry32 } from '@mlops-lab/datagen';
import { rewriteHistoryInPlace } from '@mlops-lab/datasets/faults';
import type { Services } from '@mlops-lab/services';
import { insertPayments } from '@mlops-lab/training';

export const START_MS = Date.UTC(2024, 0, 1);
export const DAY_MS = 86_400_000;

export interface Changes {
  inserted: string[];
  relabelled: string[];
  deleted: string[];
}

/** Applies the day's changes to `payments` and returns the keys each touched. */
export async function moveOn(services: Services, seed: number, rows: number): Promise<Changes> {
  const next = generatePayments({
    seed: mixSeed(seed, 'next-day'),
    size: Math.round(rows / 10),
    start: START_MS + 7 * DAY_MS,
    durationMs: DAY_MS,
  });
  await insertPayments(services.pg, 'payments', next);
  // Late chargebacks: 2% of the week's legitimate-looking payments turn out to be fraud.
  const legit = (
    await services.pg.query(
      `SELECT "eventId" FROM payments WHERE label = 0 AND "timestamp" < $1 ORDER BY "eventId" COLLATE "C"`,
      [START_MS + 7 * DAY_MS],
    )
  ).rows.map((r) => r.eventId as string);
  const rand = mulberry32(mixSeed(seed, 'chargebacks'));
  const picked = legit.filter(() => rand() < 0.02);
  const relabelled = (
    await services.pg.query(
      `UPDATE payments SET label = 1 WHERE "eventId" = ANY($1::text[]) RETURNING "eventId"`,
      [picked],
    )
  ).rows.map((r) => r.eventId);
  // Erasure requests: every payment of three customers goes.
  const customers = (
    await services.pg.query(
      `SELECT "customerId" FROM payments GROUP BY 1 ORDER BY count(*) DESC, "customerId" COLLATE "C" LIMIT 3`,
    )
  ).rows.map((r) => r.customerId);
  const deleted = (
    await services.pg.query(`DELETE FROM payments WHERE "customerId" = ANY($1::text[]) RETURNING "eventId"`, [
      customers,
    ])
  ).rows.map((r) => r.eventId);
  return { inserted: next.map((e) => e.eventId), relabelled, deleted };
}

/** The fault: a "label fix" written into the history of the snapshot's rows in place (datasets/faults). */
export const rewriteHistory = (services: Services, snapshot: string, count: number): Promise<string[]> =>
  rewriteHistoryInPlace(services.pg, 'payments', snapshot, count);
