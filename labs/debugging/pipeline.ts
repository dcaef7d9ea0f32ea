/**
 * The data path of the debugging lab (Q30), in Postgres: the raw payments, the ledger service's
 * export (each payment's settled amount, joined in by the feature pipeline), and the outcome feed
 * (fraud or not, known after the fact). Three real code paths a fault can switch:
 *
 * - the feature query joins the ledger export and fills a missing amount with a default: when the
 *   export stops landing, the join produces nulls and the default hides them (`upstream-nulls`);
 * - the serving release's request builder, which a release can change while the training code (the
 *   offline recompute) stays as it was (`feature-regression`: amounts sent in cents);
 * - the quality job's label join, whose key is configuration (`broken-metric`: the customer id,
 *   which names several payments a week, instead of the payment id).
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { type LabelRow, recordLabels } from '@mlops-lab/monitoring';
import { type PaymentFeatureColumns, type PaymentRequest, paymentFeatures } from '@mlops-lab/payments';
import type { Migration, Services } from '@mlops-lab/services';
import { DAY, THIS_WEEK } from './world.ts';

export const pipelineMigrations: Migration[] = [
  {
    id: '001_debugging_world',
    sql: `
      CREATE TABLE dbg_payments (
        payment_id text PRIMARY KEY, customer_id text NOT NULL, at timestamptz NOT NULL,
        hour_of_day int NOT NULL, device_age_days float8 NOT NULL, distance_km float8 NOT NULL,
        merchant_category text, channel text NOT NULL);
      CREATE INDEX dbg_payments_at ON dbg_payments (at);
      CREATE TABLE dbg_ledger (payment_id text PRIMARY KEY, amount float8 NOT NULL);
      CREATE TABLE dbg_outcomes (
        payment_id text PRIMARY KEY, customer_id text NOT NULL, at timestamptz NOT NULL,
        label smallint NOT NULL, known_at timestamptz NOT NULL);`,
  },
];

/** What the feature query writes when the ledger has no row for a payment: the pipeline's default. */
export const AMOUNT_DEFAULT = 0;
/** Under `upstream-nulls`, the ledger export stops landing this long into the incident week. */
export const EXPORT_STOPS = THIS_WEEK + 2 * DAY;
/** Outcomes (chargebacks and settlements) are known this long after the payment. */
export const OUTCOME_DELAY = 10 * DAY;

/**
 * A row of the feature query as Postgres returns it: dbg_payments' columns are NOT NULL but the
 * merchant category, and the query fills a missing amount.
 */
interface FeatureColumns extends PaymentFeatureColumns {
  payment_id: string;
  customer_id: string;
  at_ms: number;
  amount: number;
  hour_of_day: number;
  device_age_days: number;
  distance_km: number;
  channel: string;
}

function featureRow(r: FeatureColumns) {
  return { paymentId: r.payment_id, customerId: r.customer_id, at: Number(r.at_ms), ...paymentFeatures(r) };
}

/** One row of the feature query: the request's values before a release's request builder. */
export type FeatureRow = ReturnType<typeof featureRow>;

async function insert(
  services: Services,
  table: string,
  columns: string[],
  types: string[],
  rows: unknown[][],
) {
  const list = columns.join(', ');
  const params = types.map((t, i) => `$${i + 1}::${t}[]`).join(', ');
  await services.pg.query(
    `INSERT INTO ${table} (${list}) SELECT * FROM unnest(${params})`,
    columns.map((_, c) => rows.map((r) => r[c])),
  );
}

/**
 * Records a week: the payments, their outcomes, and the ledger export. `exportStopsAt`: payments from
 * then on get no ledger row (the export job stopped), which the feature query turns into nulls.
 */
export async function recordWeek(
  services: Services,
  events: readonly PaymentEvent[],
  exportStopsAt = Number.POSITIVE_INFINITY,
): Promise<void> {
  const iso = (ms: number) => new Date(ms).toISOString();
  await insert(
    services,
    'dbg_payments',
    [
      'payment_id',
      'customer_id',
      'at',
      'hour_of_day',
      'device_age_days',
      'distance_km',
      'merchant_category',
      'channel',
    ],
    ['text', 'text', 'timestamptz', 'int', 'float8', 'float8', 'text', 'text'],
    events.map((e) => [
      e.eventId,
      e.customerId,
      iso(e.timestamp),
      e.hourOfDay ?? 0,
      e.deviceAgeDays ?? 0,
      e.distanceKm ?? 0,
      e.merchantCategory,
      e.channel ?? 'web',
    ]),
  );
  const exported = events.filter((e) => e.timestamp < exportStopsAt);
  await insert(
    services,
    'dbg_ledger',
    ['payment_id', 'amount'],
    ['text', 'float8'],
    exported.map((e) => [e.eventId, e.amount ?? 0]),
  );
  await insert(
    services,
    'dbg_outcomes',
    ['payment_id', 'customer_id', 'at', 'label', 'known_at'],
    ['text', 'text', 'timestamptz', 'smallint', 'timestamptz'],
    events.map((e) => [e.eventId, e.customerId, iso(e.timestamp), e.label, iso(e.timestamp + OUTCOME_DELAY)]),
  );
}

/**
 * The feature query, shared by serving and by the offline recompute (one definition, so the two can
 * only differ in what comes after it). The LEFT JOIN keeps a payment the ledger has not seen; COALESCE
 * then writes the default, which is what turns an upstream outage into plausible-looking values.
 */
export async function featureRows(
  services: Services,
  where: { from: number; to: number } | { paymentIds: readonly string[] },
): Promise<FeatureRow[]> {
  const byIds = 'paymentIds' in where;
  const { rows } = await services.pg.query<FeatureColumns>(
    `SELECT p.payment_id, p.customer_id, (extract(epoch FROM p.at) * 1000)::float8 AS at_ms,
            COALESCE(l.amount, $${byIds ? 2 : 3}::float8) AS amount, p.hour_of_day, p.device_age_days, p.distance_km,
            p.merchant_category, p.channel
       FROM dbg_payments p LEFT JOIN dbg_ledger l ON l.payment_id = p.payment_id
      WHERE ${byIds ? 'p.payment_id = ANY($1::text[])' : 'p.at >= to_timestamp($1 / 1000.0) AND p.at < to_timestamp($2 / 1000.0)'}
      ORDER BY p.at, p.payment_id`,
    byIds ? [where.paymentIds, AMOUNT_DEFAULT] : [where.from, where.to, AMOUNT_DEFAULT],
  );
  return rows.map(featureRow);
}

/** The training code's request: what every model version was trained on (and the offline recompute). */
export function trainingRequest(row: FeatureRow): PaymentRequest {
  return {
    amount: row.amount,
    hourOfDay: row.hourOfDay,
    deviceAgeDays: row.deviceAgeDays,
    distanceKm: row.distanceKm,
    channel: row.channel as PaymentRequest['channel'],
    ...(row.merchantCategory ? { merchantCategory: row.merchantCategory } : {}),
  };
}

export type Release = '2026.09' | '2026.10';

/**
 * The serving release's request builder. 2026.10 moved the payment service to minor units and sends
 * the amount in cents; the training code was not changed with it (`feature-regression`).
 */
export function servingRequest(row: FeatureRow, release: Release): PaymentRequest {
  const body = trainingRequest(row);
  return release === '2026.10' ? { ...body, amount: Math.round(body.amount * 100) } : body;
}

export type LabelKey = 'payment_id' | 'customer_id';

/**
 * The quality job: joins the outcome feed to the served predictions of [from, to) and records a label
 * per prediction (@mlops-lab/monitoring's labels table, which the realized monitors read). Keyed by
 * payment id, one outcome per prediction; by customer id (`broken-metric`) a prediction matches all of
 * its customer's outcomes that week and DISTINCT ON keeps the first, usually another payment's.
 */
export async function runQualityJob(
  services: Services,
  window: { from: number; to: number },
  key: LabelKey,
): Promise<number> {
  // The prediction log knows the payment id (the request id); the customer comes from the payments table.
  const on =
    key === 'payment_id'
      ? 'o.payment_id = p.request_id'
      : 'o.customer_id = pay.customer_id AND o.at >= to_timestamp($1 / 1000.0) AND o.at < to_timestamp($2 / 1000.0)';
  const { rows } = await services.pg.query<{ request_id: string; label: number; known_ms: string }>(
    `SELECT DISTINCT ON (p.request_id) p.request_id, o.label,
            (extract(epoch FROM o.known_at) * 1000)::bigint AS known_ms
       FROM prediction_log p JOIN dbg_payments pay ON pay.payment_id = p.request_id
       JOIN dbg_outcomes o ON ${on}
      WHERE p.role = 'served' AND p.at >= to_timestamp($1 / 1000.0) AND p.at < to_timestamp($2 / 1000.0)
      ORDER BY p.request_id, o.at, o.payment_id`,
    [window.from, window.to],
  );
  const labels: LabelRow[] = rows.map((r) => ({
    requestId: r.request_id,
    label: r.label as 0 | 1,
    labelledAt: Number(r.known_ms),
  }));
  await recordLabels(services.pg, labels);
  return labels.length;
}
