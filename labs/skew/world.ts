/**
 * The skew lab's world (Q5): card payments as the payment system records them (a UTC timestamp and
 * the country the card was used in, no "hour" column), a timeline (warm-up, training, serving days),
 * the raw-event table in Postgres every offline computation starts from, and the local-time table.
 *
 * The datagen payments world draws each payment's local hour on its own (its `hourOfDay` is not read
 * off `timestamp`). Here the timestamp is rewritten so that the hour of the local clock in `country`
 * IS that hour: the fraud rule (night payments are riskier) then lives in the timestamp, and a
 * feature pipeline has to recover the local hour from UTC + country, exactly what goes wrong in
 * production when one path forgets the time zone.
 */
import { type DriftKnobs, generatePayments, mixSeed, type PaymentEvent } from '@mlops-lab/datagen';
import { customerActivityView } from '@mlops-lab/payments';
import type { Services } from '@mlops-lab/services';

export const DAY_MS = 24 * 3600 * 1000;
const HOUR_MS = 3600 * 1000;
/** Monday 2026-02-02 00:00 UTC: the first serving day. Before any daylight-saving change of the year. */
export const SERVE_START = Date.UTC(2026, 1, 2);
/** Serving days, and the first one on which the world changes (the holiday rush ramps in). */
export const SERVE_DAYS = 6;
export const DRIFT_FROM_DAY = 4;
/** `season` phase per drifting day: 50%, 79%, 98% of the datagen holiday peak's intensity. */
const RUSH = [0.25, 0.35, 0.45];
/** The geolocation lookup times out on this share of payments: distance_km arrives missing. */
const MISSING_DISTANCE = 0.05;

/**
 * UTC offset (minutes) of the local clock in each country of the world: one representative zone
 * each (New York, Toronto, Sao Paulo, Mexico City, Kolkata, Tokyo, Brisbane...), standard time,
 * which every zone here keeps during the lab's February. India's half hour is on purpose.
 */
export const UTC_OFFSET_MIN: Readonly<Record<string, number>> = {
  US: -300,
  GB: 0,
  DE: 60,
  FR: 60,
  CA: -300,
  BR: -180,
  IN: 330,
  MX: -360,
  JP: 540,
  AU: 600,
};

/** Population size per daily payment (see `Timeline.customers`). */
const CUSTOMERS_PER_DAILY_PAYMENT = 15;

export interface Timeline {
  /** Payments per day (every day: the aggregates stay stationary). */
  perDay: number;
  /**
   * Customer population. Large enough that no handful of very active customers dominates a day:
   * a day's payments are clustered by customer, which a test that assumes independent rows (KS)
   * reads as drift when a few heavy customers make a tenth of the day.
   */
  customers: number;
  trainDays: number;
  /**
   * Days before training that only feed the customer aggregates: as many as the aggregate view's
   * ttl, so a customer's value already has the age it keeps while serving. With less, training sees
   * a younger history than serving and `txn_count_7d` drifts as the history ages.
   */
  warmupDays: number;
  trainStart: number;
  /** Size of the old training window the previous scaler (version 1) was fitted on. */
  previousSize: number;
  previousStart: number;
}

export function timeline(quick: boolean): Timeline {
  const trainDays = quick ? 7 : 14;
  const perDay = quick ? 1000 : 2500;
  return {
    perDay,
    customers: perDay * CUSTOMERS_PER_DAILY_PAYMENT,
    trainDays,
    warmupDays: Math.round((customerActivityView.ttlMs ?? 0) / DAY_MS),
    trainStart: SERVE_START - trainDays * DAY_MS,
    previousSize: quick ? 3000 : 6000,
    // The previous training run, in October: before the travel and electronics merchants joined.
    previousStart: SERVE_START - 119 * DAY_MS,
  };
}

/** Knobs of serving day d (1-based): steady, then the holiday rush, always the geolocation gaps. */
export function dayKnobs(day: number): DriftKnobs {
  const base: DriftKnobs = { nullFlood: { distanceKm: MISSING_DISTANCE } };
  return day >= DRIFT_FROM_DAY ? { ...base, season: RUSH[Math.min(day - DRIFT_FROM_DAY, 2)] } : base;
}

/**
 * One day of payments whose local clock shows the world's hourOfDay. The time inside the hour is the
 * generator's own uniform position; wrapping modulo a day keeps every payment inside its UTC day.
 */
function generateDay(
  t: Timeline,
  seed: number,
  tag: string,
  dayStart: number,
  size: number,
  knobs: DriftKnobs,
) {
  const events = generatePayments({
    seed: mixSeed(seed, tag, dayStart),
    size,
    customers: t.customers,
    start: dayStart,
    durationMs: DAY_MS,
    drift: knobs,
  });
  for (const e of events) {
    const offset = UTC_OFFSET_MIN[e.country ?? ''] ?? 0;
    const withinHour = (e.timestamp - dayStart) % HOUR_MS;
    const local = (e.hourOfDay ?? 0) * HOUR_MS + withinHour - offset * 60_000;
    e.timestamp = dayStart + (((local % DAY_MS) + DAY_MS) % DAY_MS);
  }
  return events.sort((a, b) => a.timestamp - b.timestamp || a.eventId.localeCompare(b.eventId));
}

/** The merchant mix of the previous window: no travel or electronics merchants on the platform yet. */
const PREVIOUS_MIX = { travel: 0, electronics: 0 };

export interface World {
  /** Warm-up + training days, in time order. */
  history: PaymentEvent[];
  /** Serving days 1..SERVE_DAYS: the requests. */
  days: PaymentEvent[][];
  /** The old window the previous scaler was fitted on (October, without two big-ticket categories). */
  previous: PaymentEvent[];
}

export function buildWorld(seed: number, t: Timeline): World {
  const history: PaymentEvent[] = [];
  for (let d = -(t.trainDays + t.warmupDays); d < 0; d++) {
    history.push(...generateDay(t, seed, 'history', SERVE_START + d * DAY_MS, t.perDay, dayKnobs(0)));
  }
  const days = Array.from({ length: SERVE_DAYS }, (_, i) =>
    generateDay(t, seed, 'serve', SERVE_START + i * DAY_MS, t.perDay, dayKnobs(i + 1)),
  );
  const previous: PaymentEvent[] = [];
  const perPreviousDay = Math.round(t.previousSize / 7);
  for (let d = 0; d < 7; d++) {
    const knobs = { ...dayKnobs(0), categoryMix: PREVIOUS_MIX };
    previous.push(...generateDay(t, seed, 'previous', t.previousStart + d * DAY_MS, perPreviousDay, knobs));
  }
  return { history, days, previous };
}

export const worldMigrations = [
  {
    id: '001_raw_events',
    sql: `
      CREATE TABLE payments (
        event_id text PRIMARY KEY, customer_id text NOT NULL, ts timestamptz NOT NULL,
        amount float8, distance_km float8, device_age_days int, merchant_category text,
        channel text, country text, label smallint NOT NULL);
      CREATE INDEX payments_ts ON payments (ts);
      CREATE TABLE country_offsets (country text PRIMARY KEY, utc_offset_min int NOT NULL);`,
  },
];

/** Writes raw payments as the payment system would (one unnest INSERT per batch). */
export async function insertPayments(services: Services, events: PaymentEvent[]): Promise<void> {
  const BATCH = 20_000;
  for (let i = 0; i < events.length; i += BATCH) {
    const b = events.slice(i, i + BATCH);
    await services.pg.query(
      `INSERT INTO payments
       SELECT id, c, to_timestamp(ms / 1000.0), a, d, dev, m, ch, co, l
       FROM unnest($1::text[], $2::text[], $3::bigint[], $4::float8[], $5::float8[], $6::int[],
                   $7::text[], $8::text[], $9::text[], $10::smallint[])
         AS t(id, c, ms, a, d, dev, m, ch, co, l)`,
      [
        b.map((e) => e.eventId),
        b.map((e) => e.customerId),
        b.map((e) => e.timestamp),
        b.map((e) => e.amount),
        b.map((e) => e.distanceKm),
        b.map((e) => e.deviceAgeDays),
        b.map((e) => e.merchantCategory),
        b.map((e) => e.channel),
        b.map((e) => e.country),
        b.map((e) => e.label),
      ],
    );
  }
}

export async function loadWorld(services: Services, world: World): Promise<void> {
  await services.pg.query('INSERT INTO country_offsets SELECT * FROM unnest($1::text[], $2::int[])', [
    Object.keys(UTC_OFFSET_MIN),
    Object.values(UTC_OFFSET_MIN),
  ]);
  await insertPayments(services, [...world.previous, ...world.history, ...world.days.flat()]);
}
