/**
 * A customer-history world: weeks of payments, the disputes that fraud causes hours to days later,
 * and a feature pipeline that turns both into feature rows with event and created timestamps, the
 * shape a feature store's offline source has (Q6, Q7, Q8).
 *
 * Why the leak is real: a fraudulent payment is disputed by the cardholder hours to days after it
 * happened, and the `disputes_30d` feature counts disputes. Joined as of the payment's time, it holds
 * only earlier disputes; joined as of "now" (the latest value), it holds the dispute of the very
 * payment being labelled, so the label leaks into the features.
 *
 * The feature views these rows fill are defined once, in @mlops-lab/payments (feature-views.ts);
 * `customerActivityRows` runs the same pipeline over payments a lab generated its own way.
 */
import { generatePayments } from './payments.ts';
import { createRng, mixSeed } from './rng.ts';
import type { PaymentEvent } from './types.ts';

const DAY_MS = 24 * 3600 * 1000;
/** Aggregates are written a few minutes after the payment or dispute that changed them. */
const PIPELINE_LAG_MS = 5 * 60 * 1000;
/** Share of frauds the cardholder disputes, and the dispute delay (log-normal, median ~20 h). */
const DISPUTE_RATE = 0.9;
const DISPUTE_MEDIAN_HOURS = 20;

export interface HistoryFeatureRow {
  entityId: string;
  eventTimestamp: number;
  createdTimestamp: number;
  values: Record<string, number | string | null>;
}

export interface HistorySpec {
  seed: number;
  start: number;
  weeks: number;
  customers: number;
  paymentsPerWeek: number;
  /** When the risk backfill ran (it rewrote every earlier day with a look-ahead window). */
  backfillAt: number;
}

export interface CustomerHistory {
  payments: PaymentEvent[];
  /** Customer aggregates after each payment and dispute: txn_count_7d, avg_amount_7d, disputes_30d. */
  activity: HistoryFeatureRow[];
  /** Daily risk score per active customer; ttl 2 days (a customer with no activity gets none). */
  risk: HistoryFeatureRow[];
  /** A backfill run at the end of the training weeks rewrote past risk scores using later disputes. */
  riskBackfill: HistoryFeatureRow[];
  backfillAt: number;
}

export function generateCustomerHistory(spec: HistorySpec): CustomerHistory {
  const { seed, start, weeks, customers, paymentsPerWeek, backfillAt } = spec;
  const payments: PaymentEvent[] = [];
  for (let week = 0; week < weeks; week++) {
    payments.push(
      ...generatePayments({
        seed: mixSeed(seed, 'customer-history', week),
        size: paymentsPerWeek,
        start: start + week * 7 * DAY_MS,
        durationMs: 7 * DAY_MS,
        customers,
      }),
    );
  }
  payments.sort((a, b) => a.timestamp - b.timestamp);
  const disputes = fraudDisputes(payments, seed);
  const { activity, history } = replay(payments, disputes);
  return { payments, activity, ...dailyRisk(history, start, backfillAt), backfillAt };
}

/** A cardholder's dispute of a payment: who, and when it was filed. */
export interface Dispute {
  customerId: string;
  /** The disputed payment. */
  eventId: string;
  at: number;
}

/**
 * The disputes fraud causes: DISPUTE_RATE of the frauds among `payments` (time-ordered), each filed a
 * log-normal delay after the payment. Seeded: the same payments and seed give the same disputes.
 */
export function fraudDisputes(payments: readonly PaymentEvent[], seed: number): Dispute[] {
  const rng = createRng(mixSeed(seed, 'disputes'));
  return payments
    .filter((p) => p.label === 1 && rng.next() < DISPUTE_RATE)
    .map((p) => ({
      customerId: p.customerId,
      eventId: p.eventId,
      at: p.timestamp + Math.round(Math.exp(Math.log(DISPUTE_MEDIAN_HOURS) + rng.normal()) * 3600 * 1000),
    }));
}

/**
 * The customer-activity pipeline on its own, for a world that makes its payments some other way:
 * one row of txn_count_7d, avg_amount_7d and disputes_30d after every payment and dispute.
 */
export function customerActivityRows(
  payments: readonly PaymentEvent[],
  disputes: readonly Dispute[],
): HistoryFeatureRow[] {
  return replay(payments, disputes).activity;
}

type Change = { customerId: string; at: number; amount?: number; dispute?: true };
type CustomerLog = Map<string, { payments: { at: number; amount: number }[]; disputes: number[] }>;

/** Replays payments and disputes in time order, keeping per-customer windows; emits activity rows. */
function replay(payments: readonly PaymentEvent[], disputes: readonly Dispute[]) {
  const changes: Change[] = [
    ...payments.map((p) => ({ customerId: p.customerId, at: p.timestamp, amount: p.amount ?? 0 })),
    ...disputes.map((d) => ({ customerId: d.customerId, at: d.at, dispute: true as const })),
  ].sort((a, b) => a.at - b.at);
  const history: CustomerLog = new Map();
  const activity: HistoryFeatureRow[] = [];
  for (const c of changes) {
    let h = history.get(c.customerId);
    if (!h) {
      h = { payments: [], disputes: [] };
      history.set(c.customerId, h);
    }
    if (c.dispute) h.disputes.push(c.at);
    else h.payments.push({ at: c.at, amount: c.amount ?? 0 });
    const week = h.payments.filter((p) => p.at > c.at - 7 * DAY_MS);
    activity.push({
      entityId: c.customerId,
      eventTimestamp: c.at + PIPELINE_LAG_MS,
      createdTimestamp: c.at + 2 * PIPELINE_LAG_MS,
      values: {
        txn_count_7d: week.length,
        avg_amount_7d: week.length ? week.reduce((s, p) => s + p.amount, 0) / week.length : null,
        disputes_30d: h.disputes.filter((t) => t > c.at - 30 * DAY_MS).length,
      },
    });
  }
  return { activity, history };
}

/**
 * Daily risk: disputes in the previous 30 days, for customers who paid that day. The backfill
 * recomputed the same days at `backfillAt` over a window centred on the day: it sees the future.
 */
function dailyRisk(history: CustomerLog, start: number, backfillAt: number) {
  const risk: HistoryFeatureRow[] = [];
  const riskBackfill: HistoryFeatureRow[] = [];
  for (const [customerId, h] of history) {
    const days = new Set(h.payments.map((p) => Math.floor((p.at - start) / DAY_MS)));
    for (const day of days) {
      const end = start + (day + 1) * DAY_MS;
      const past = h.disputes.filter((t) => t <= end && t > end - 30 * DAY_MS).length;
      risk.push({
        entityId: customerId,
        eventTimestamp: end,
        createdTimestamp: end + 3600_000,
        values: { risk_score: past },
      });
      if (end < backfillAt) {
        const centred = h.disputes.filter((t) => Math.abs(t - end) <= 15 * DAY_MS).length;
        riskBackfill.push({
          entityId: customerId,
          eventTimestamp: end,
          createdTimestamp: backfillAt,
          values: { risk_score: centred },
        });
      }
    }
  }
  return { risk, riskBackfill };
}
