/**
 * The prediction log's Postgres side (Q26, Q28): one row per (request id, role), labels in their own
 * table because they arrive days later, and a table for stream entries that could not be parsed (so a
 * poison entry is acknowledged without being lost). Inserts are one statement per batch (unnest of a
 * column array per field) with ON CONFLICT DO NOTHING: the primary key makes a redelivered entry a
 * no-op, and the returned row count tells new rows from duplicates.
 */
import type { Migration } from '@mlops-lab/services';
import type { Queryable } from '@mlops-lab/services/sql';
import { MonitoringInputError } from './errors.ts';
import { checkRecord, type PredictionRecord } from './record.ts';
import type { TimeWindow } from './windows.ts';

export const monitoringMigrations: Migration[] = [
  {
    id: '001_prediction_log',
    sql: `
      CREATE TABLE prediction_log (
        request_id text NOT NULL,
        role text NOT NULL CHECK (role IN ('served', 'shadow')),
        model_version text NOT NULL,
        at timestamptz NOT NULL,
        features jsonb NOT NULL,
        score float8,
        decision text,
        latency_ms float8 NOT NULL,
        error text,
        request_key text,
        fallback_from text,
        attempts smallint NOT NULL DEFAULT 1,
        logged_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (request_id, role)
      );
      CREATE INDEX prediction_log_at ON prediction_log (at);
      CREATE TABLE prediction_labels (
        request_id text PRIMARY KEY,
        label smallint NOT NULL CHECK (label IN (0, 1)),
        labelled_at timestamptz NOT NULL
      );
      CREATE TABLE prediction_log_rejected (
        stream_id text PRIMARY KEY,
        body text NOT NULL,
        reason text NOT NULL,
        at timestamptz NOT NULL DEFAULT now()
      );`,
  },
];

/** Applies the log's tables in the caller's schema (idempotent). */
export function migrateMonitoring(services: {
  migrate(owner: string, migrations: Migration[]): Promise<void>;
}): Promise<void> {
  return services.migrate('monitoring', monitoringMigrations);
}

/** Inserts checked records in one statement; returns how many were new (the rest were already there). */
export async function insertPredictions(
  pg: Queryable,
  records: readonly PredictionRecord[],
): Promise<number> {
  if (records.length === 0) return 0;
  const rows = records.map(checkRecord);
  const col = <T>(f: (r: (typeof rows)[number]) => T) => rows.map(f);
  const result = await pg.query(
    `INSERT INTO prediction_log (request_id, role, model_version, at, features, score, decision, latency_ms,
                                 error, request_key, fallback_from, attempts)
     SELECT r, ro, v, to_timestamp(ms / 1000.0), f, s, d, l, e, k, fb, a
       FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::jsonb[], $6::float8[], $7::text[],
                   $8::float8[], $9::text[], $10::text[], $11::text[], $12::smallint[])
         AS t(r, ro, v, ms, f, s, d, l, e, k, fb, a)
     ON CONFLICT (request_id, role) DO NOTHING`,
    [
      col((r) => r.requestId),
      col((r) => r.role),
      col((r) => r.modelVersion),
      col((r) => r.at),
      col((r) => JSON.stringify(r.features)),
      col((r) => r.score),
      col((r) => r.decision),
      col((r) => r.latencyMs),
      col((r) => r.error),
      col((r) => r.requestKey),
      col((r) => r.fallbackFrom),
      col((r) => r.attempts),
    ],
  );
  return result.rowCount ?? 0;
}

/** Stream entries that were not valid records: kept with the reason, never dropped silently. */
export async function insertRejected(
  pg: Queryable,
  rows: readonly { streamId: string; body: string; reason: string }[],
): Promise<void> {
  if (rows.length === 0) return;
  await pg.query(
    `INSERT INTO prediction_log_rejected (stream_id, body, reason)
     SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (stream_id) DO NOTHING`,
    [rows.map((r) => r.streamId), rows.map((r) => r.body), rows.map((r) => r.reason)],
  );
}

export interface LabelRow {
  requestId: string;
  label: 0 | 1;
  /** When the label became known (ms since epoch): what "label lag" is measured from. */
  labelledAt: number;
}

/** Delayed ground truth; a corrected label replaces the earlier one. */
export async function recordLabels(pg: Queryable, rows: readonly LabelRow[]): Promise<void> {
  if (rows.length === 0) return;
  rows.forEach((r, i) => {
    if (typeof r.requestId !== 'string' || r.requestId.length === 0)
      throw new MonitoringInputError(`label ${i}: requestId must be a non-empty string`);
    if (r.label !== 0 && r.label !== 1)
      throw new MonitoringInputError(`label ${i} (${r.requestId}): label must be 0 or 1, got ${r.label}`);
    if (!Number.isSafeInteger(r.labelledAt))
      throw new MonitoringInputError(
        `label ${i} (${r.requestId}): labelledAt must be integer ms since epoch`,
      );
  });
  await pg.query(
    `INSERT INTO prediction_labels (request_id, label, labelled_at)
     SELECT r, l, to_timestamp(ms / 1000.0) FROM unnest($1::text[], $2::smallint[], $3::bigint[]) AS t(r, l, ms)
     ON CONFLICT (request_id) DO UPDATE SET label = EXCLUDED.label, labelled_at = EXCLUDED.labelled_at`,
    [rows.map((r) => r.requestId), rows.map((r) => r.label), rows.map((r) => r.labelledAt)],
  );
}

/** A served row read back for a monitor, with its label when one has landed. */
export interface LoggedRow {
  requestId: string;
  modelVersion: string;
  at: number;
  features: Record<string, unknown>;
  score: number | null;
  decision: string | null;
  latencyMs: number;
  error: string | null;
  label: 0 | 1 | null;
  labelledAt: number | null;
}

/** Served rows with event time in [from, to), oldest first, joined to their labels (if any). */
export async function readLogged(pg: Queryable, from: number, to: number): Promise<LoggedRow[]> {
  const { rows } = await pg.query(
    `SELECT p.request_id, p.model_version, (extract(epoch FROM p.at) * 1000)::bigint AS at_ms, p.features,
            p.score, p.decision, p.latency_ms, p.error, l.label,
            (extract(epoch FROM l.labelled_at) * 1000)::bigint AS labelled_ms
       FROM prediction_log p LEFT JOIN prediction_labels l ON l.request_id = p.request_id
      WHERE p.role = 'served' AND p.at >= to_timestamp($1 / 1000.0) AND p.at < to_timestamp($2 / 1000.0)
      ORDER BY p.at, p.request_id`,
    [from, to],
  );
  return rows.map((r) => ({
    requestId: r.request_id,
    modelVersion: r.model_version,
    at: Number(r.at_ms),
    features: r.features,
    score: r.score,
    decision: r.decision,
    latencyMs: r.latency_ms,
    error: r.error,
    label: r.label === null ? null : (Number(r.label) as 0 | 1),
    labelledAt: r.labelled_ms === null ? null : Number(r.labelled_ms),
  }));
}

/** One window of the log: its served rows as read back, labels joined. */
export interface LoggedWindow {
  window: TimeWindow;
  rows: readonly LoggedRow[];
}

/** Each window's served rows (readLogged over its [start, end)), in the windows' order. */
export async function readWindows(pg: Queryable, windows: readonly TimeWindow[]): Promise<LoggedWindow[]> {
  const out: LoggedWindow[] = [];
  for (const window of windows) out.push({ window, rows: await readLogged(pg, window.start, window.end) });
  return out;
}
