/**
 * One served prediction, as every server and router appends it to the log (Q26, Q35): what was asked
 * (the features as received), who answered (model version), what it said (score, decision), how it
 * went (latency, error) and when (event time). `requestId` plus `role` is the idempotency key: a
 * redelivered entry can never become a second row.
 */
import { MonitoringInputError } from './errors.ts';

export type FeatureValue = number | string | boolean | null;

export interface PredictionRecord {
  requestId: string;
  /** 'served' (the answer the caller got) or 'shadow' (a candidate's answer, never returned). Default served. */
  role?: 'served' | 'shadow';
  modelVersion: string;
  /** Event time, ms since epoch: windows are cut on it, never on arrival time. */
  at: number;
  features: Record<string, FeatureValue>;
  /** null when the request failed before a score existed. */
  score: number | null;
  decision: string | null;
  latencyMs: number;
  error: string | null;
  /** The routing key the answer was assigned by (a user id), if any. */
  requestKey?: string | null;
  /** Set when the assigned version failed and another one answered (modelVersion is the answerer). */
  fallbackFrom?: string | null;
  /** Upstream calls made for this answer (1 unless retried or fallen back). */
  attempts?: number;
}

const MAX_ID = 200;

function fail(what: string, detail: string): never {
  throw new MonitoringInputError(`prediction record: ${what} ${detail}`);
}

/** Throws MonitoringInputError naming the first bad field; returns the record with defaults filled. */
export function checkRecord(r: PredictionRecord): Required<PredictionRecord> {
  if (r === null || typeof r !== 'object') fail('record', 'must be an object');
  if (typeof r.requestId !== 'string' || r.requestId.length === 0 || r.requestId.length > MAX_ID)
    fail(
      'requestId',
      `must be a non-empty string of at most ${MAX_ID} characters, got ${JSON.stringify(r.requestId)}`,
    );
  const role = r.role ?? 'served';
  if (role !== 'served' && role !== 'shadow')
    fail('role', `must be 'served' or 'shadow', got ${JSON.stringify(role)}`);
  if (typeof r.modelVersion !== 'string' || r.modelVersion.length === 0)
    fail('modelVersion', `must be a non-empty string (request ${r.requestId})`);
  if (!Number.isSafeInteger(r.at) || r.at < 0)
    fail('at', `must be a non-negative integer of ms since epoch (request ${r.requestId}), got ${r.at}`);
  if (r.features === null || typeof r.features !== 'object' || Array.isArray(r.features))
    fail('features', `must be an object of feature values (request ${r.requestId})`);
  if (r.score !== null && !Number.isFinite(r.score))
    fail('score', `must be a finite number or null (request ${r.requestId}), got ${r.score}`);
  if (!(Number.isFinite(r.latencyMs) && r.latencyMs >= 0))
    fail('latencyMs', `must be a finite number >= 0 (request ${r.requestId}), got ${r.latencyMs}`);
  if (r.error !== null && typeof r.error !== 'string')
    fail('error', `must be a string or null (request ${r.requestId})`);
  const attempts = r.attempts ?? 1;
  if (!Number.isSafeInteger(attempts) || attempts < 1 || attempts > 100)
    fail('attempts', `must be an integer in [1, 100] (request ${r.requestId}), got ${attempts}`);
  return {
    requestId: r.requestId,
    role,
    modelVersion: r.modelVersion,
    at: r.at,
    features: r.features,
    score: r.score,
    decision: r.decision ?? null,
    latencyMs: r.latencyMs,
    error: r.error,
    requestKey: r.requestKey ?? null,
    fallbackFrom: r.fallbackFrom ?? null,
    attempts,
  };
}
