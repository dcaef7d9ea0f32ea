/**
 * The retraining pipeline's tables (Q14, Q15): the upstream feed it trains on, one terminal record per
 * (model, scheduled slot) (the unique key that makes "at most once per slot" a database fact), every
 * step of every attempt (so a retried run shows its crashed attempt), and every scheduler tick.
 */
import type { Migration } from '@mlops-lab/services';

export const retrainMigrations: Migration[] = [
  {
    id: '001_retrain',
    sql: `
      CREATE TABLE retrain_feed (
        event_id text PRIMARY KEY,
        customer_id text NOT NULL,
        ts bigint NOT NULL,
        amount double precision,
        hour_of_day integer,
        device_age_days double precision,
        distance_km double precision,
        merchant_category text,
        channel text,
        label smallint NOT NULL
      );
      CREATE INDEX retrain_feed_ts ON retrain_feed (ts);
      CREATE TABLE retrain_runs (
        model text NOT NULL,
        slot integer NOT NULL,
        run_id text NOT NULL,
        outcome text NOT NULL CHECK (outcome IN ('promoted', 'rejected', 'skipped')),
        reason text NOT NULL,
        attempt integer NOT NULL,
        worker text NOT NULL,
        champion_version integer,
        challenger_version integer,
        snapshot jsonb NOT NULL DEFAULT '{}'::jsonb,
        metrics jsonb NOT NULL DEFAULT '{}'::jsonb,
        finished_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        PRIMARY KEY (model, slot)
      );
      CREATE TABLE retrain_steps (
        id bigserial PRIMARY KEY,
        model text NOT NULL,
        slot integer NOT NULL,
        attempt integer NOT NULL,
        step text NOT NULL,
        worker text NOT NULL,
        ms double precision NOT NULL,
        detail jsonb NOT NULL DEFAULT '{}'::jsonb,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      );
      CREATE TABLE retrain_ticks (
        job_id text PRIMARY KEY,
        model text NOT NULL,
        slot integer NOT NULL,
        worker text NOT NULL,
        at timestamptz NOT NULL DEFAULT clock_timestamp()
      );`,
  },
];

export async function migrateRetrain(services: {
  migrate(owner: string, m: Migration[]): Promise<void>;
}): Promise<void> {
  await services.migrate('retrain', retrainMigrations);
}
