/**
 * A demonstration log for the report (Q26, Q28): weeks of predictions of the payments world
 * (@mlops-lab/datagen), scored by the world's own fraud rule (a calibrated model, so the monitors have
 * nothing to blame on the model), labelled up to a chosen week, with concept drift from a chosen week
 * and optional extra noise features (a wide schema for the benchmark), and a labelled reference week
 * before them. Used by `pnpm monitor demo`, the report's tests and bench/report.ts.
 */
import {
  fraudProbability,
  generatePayments,
  mixSeed,
  mulberry32,
  PAYMENT_FEATURES,
  type PaymentEvent,
} from '@mlops-lab/datagen';
import type { Schema } from '@mlops-lab/drift';
import type { Queryable } from '@mlops-lab/services/sql';
import { buildReference } from './monitors.ts';
import type { PredictionRecord } from './record.ts';
import { insertPredictions, type LoggedRow, recordLabels } from './store.ts';
import { tumblingWindows } from './windows.ts';

const DAY = 86_400_000;
const WEEK = 7 * DAY;
const START = Date.UTC(2026, 0, 5);

export interface ReportWorldOptions {
  seed?: number;
  windows?: number;
  rowsPerWindow?: number;
  referenceSize?: number;
  /** Features beyond the payments world's 7 (alternately numeric and categorical noise). */
  extraFeatures?: number;
  /** First window under label rule v2 (default: none). */
  conceptFrom?: number;
  /** Windows before this one have their labels by asOf (default: all). */
  labelledBefore?: number;
}

export function reportWorld(o: ReportWorldOptions = {}) {
  const { seed = 1, windows = 6, rowsPerWindow = 2000, referenceSize = 5000, extraFeatures = 0 } = o;
  const labelledBefore = o.labelledBefore ?? windows;
  const schema: Schema = [
    ...PAYMENT_FEATURES.filter((f) => f.name !== 'country').map(({ name, type }) => ({ name, type })),
    ...Array.from({ length: extraFeatures }, (_, k) => ({
      name: `extra${k + 1}`,
      type: k % 2 === 0 ? ('numeric' as const) : ('categorical' as const),
    })),
  ];
  const rng = mulberry32(mixSeed(seed, 'report-world'));
  const extras = () => {
    const out: Record<string, number | string> = {};
    for (let k = 0; k < extraFeatures; k++)
      out[`extra${k + 1}`] = k % 2 === 0 ? Math.round(rng() * 1000) / 10 : `c${Math.floor(rng() * 5)}`;
    return out;
  };
  const features = (e: ReturnType<typeof generatePayments>[number]) => ({
    amount: e.amount,
    hourOfDay: e.hourOfDay,
    deviceAgeDays: e.deviceAgeDays,
    distanceKm: e.distanceKm,
    merchantCategory: e.merchantCategory,
    channel: e.channel,
    ...extras(),
  });
  const decision = (s: number) => (s >= 0.5 ? 'decline' : s >= 0.2 ? 'review' : 'approve');
  const logged = (e: PaymentEvent, i: number, labelledAt: number | null): LoggedRow => {
    const score = fraudProbability(e);
    return {
      requestId: e.eventId,
      modelVersion: 'v1',
      at: e.timestamp,
      features: features(e),
      score,
      decision: decision(score),
      latencyMs: 2 + (i % 17) * 0.5,
      error: null,
      label: labelledAt === null ? null : e.label,
      labelledAt,
    };
  };
  const referenceRows = generatePayments({
    seed: mixSeed(seed, 'report-reference'),
    size: referenceSize,
    start: START,
    durationMs: WEEK,
  }).map((e, i) => logged(e, i, START + WEEK + DAY));
  const reference = buildReference(
    referenceRows.map((r) => ({
      features: r.features,
      score: r.score!,
      decision: r.decision!,
      label: r.label!,
    })),
    schema,
  );
  const ws = tumblingWindows(START + WEEK, WEEK, windows);
  const asOf = ws.at(-1)!.end + DAY;
  const windowed = ws.map((window) => {
    const events = generatePayments({
      seed: mixSeed(seed, 'report-window', window.index),
      size: rowsPerWindow,
      start: window.start,
      durationMs: WEEK,
      drift: o.conceptFrom !== undefined && window.index >= o.conceptFrom ? { labelRule: 'v2' } : {},
    });
    const labelledAt = window.index < labelledBefore ? Math.min(asOf, window.end + DAY / 2) : null;
    return { window, rows: events.map((e, i) => logged(e, i, labelledAt)) };
  });
  return {
    schema,
    reference,
    referenceRows,
    referenceRange: { from: START, to: START + WEEK },
    windowed,
    asOf,
  };
}

/** Writes a demonstration world into the prediction log (the caller's schema): rows, then labels. */
export async function writeDemoLog(pg: Queryable, world: ReturnType<typeof reportWorld>): Promise<number> {
  const all = [...world.referenceRows, ...world.windowed.flatMap((w) => w.rows)];
  const records: PredictionRecord[] = all.map(({ label: _l, labelledAt: _at, ...r }) => ({
    ...r,
    features: r.features as PredictionRecord['features'],
  }));
  for (let i = 0; i < records.length; i += 2000) await insertPredictions(pg, records.slice(i, i + 2000));
  await recordLabels(
    pg,
    all.flatMap((r) =>
      r.label === null || r.labelledAt === null
        ? []
        : [{ requestId: r.requestId, label: r.label, labelledAt: r.labelledAt }],
    ),
  );
  return records.length;
}
