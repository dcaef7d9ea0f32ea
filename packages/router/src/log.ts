/**
 * The router's answers in the one prediction log of @mlops-lab/monitoring, and the delayed outcomes
 * joined to them (Q15, Q29). Every answer the router gives, and every shadow answer it receives, is
 * appended as a record keyed by request id and role: the append never waits (the user's request
 * never waits on Redis or Postgres), a full buffer drops and counts (PredictionLog's producer), and a
 * consumer group writes the rows to `prediction_log`. Labels land later in `prediction_labels`
 * (monitoring's recordLabels) and meet the predictions in one SQL join here.
 * A served row names the version that answered; `fallback_from` the assigned version when it failed
 * and the champion answered instead, so an experiment can tell a challenger's users from its answers.
 * The router forwards the request body unparsed, so its records carry no features: the model server
 * behind it is where inputs are logged.
 */
import type { PredictionRecord } from '@mlops-lab/monitoring';
import type { Queryable } from '@mlops-lab/services/sql';

/** What the router appends to: @mlops-lab/monitoring's PredictionLog (or its producer). */
export interface RouterLog {
  append(record: PredictionRecord): unknown;
}

export interface JoinedPrediction {
  requestId: string;
  requestKey: string | null;
  servedVersion: string;
  servedScore: number | null;
  servedLatencyMs: number;
  /** Set when the assigned version failed and the champion (servedVersion) answered instead. */
  servedFallbackFrom: string | null;
  shadowVersion: string | null;
  shadowScore: number | null;
  shadowLatencyMs: number | null;
  shadowError: string | null;
  label: 0 | 1 | null;
  at: Date;
}

/** Served predictions with their shadow twin (if any) and their label (if it arrived), oldest first. */
export async function joinOutcomes(
  pg: Queryable,
  options: { since?: Date; onlyLabelled?: boolean } = {},
): Promise<JoinedPrediction[]> {
  const { rows } = await pg.query(
    `SELECT s.request_id, s.request_key, s.model_version AS served_version, s.score AS served_score,
            s.latency_ms AS served_latency, s.fallback_from, h.model_version AS shadow_version,
            h.score AS shadow_score, h.latency_ms AS shadow_latency, h.error AS shadow_error, l.label, s.at
       FROM prediction_log s
       LEFT JOIN prediction_log h ON h.request_id = s.request_id AND h.role = 'shadow'
       ${options.onlyLabelled ? 'JOIN' : 'LEFT JOIN'} prediction_labels l ON l.request_id = s.request_id
      WHERE s.role = 'served' AND s.at >= $1
      ORDER BY s.at, s.request_id`,
    [(options.since ?? new Date(0)).toISOString()],
  );
  return rows.map((r) => ({
    requestId: r.request_id,
    requestKey: r.request_key,
    servedVersion: r.served_version,
    servedScore: r.served_score,
    servedLatencyMs: r.served_latency,
    servedFallbackFrom: r.fallback_from,
    shadowVersion: r.shadow_version,
    shadowScore: r.shadow_score,
    shadowLatencyMs: r.shadow_latency,
    shadowError: r.shadow_error,
    label: r.label === null ? null : (Number(r.label) as 0 | 1),
    at: r.at,
  }));
}
