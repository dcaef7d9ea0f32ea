/**
 * The two detectors side by side, day by day (Q5 vs Q4): the skew rate (rows whose served vector
 * differs from the offline recompute) and the drift detector's verdict on the served features
 * against the training profile (@mlops-lab/drift). Drift grows with the world; skew is a constant
 * from the first request. Tables and a chart; every value comes from this run.
 */
import { compare, type DriftProfile } from '@mlops-lab/drift';
import { fmt, type Narrator } from '@mlops-lab/labkit';
import { rocAuc } from '@mlops-lab/training';
import { type Model, score } from './model.ts';
import type { FeatureSkew, Pair } from './skew.ts';
import { DRIFT_FROM_DAY } from './world.ts';

export interface DayRow {
  day: number;
  requests: number;
  skewRate: number;
  drifted: string[];
  maxEffect: number;
  /** The feature with the largest effect. */
  maxFeature: string;
  /** The detector's reasons for each drifted feature. */
  notes: string[];
  aucServed: number | null;
  aucOffline: number | null;
}

export function dayRows(model: Model, profile: DriftProfile, pairs: Pair[], skewRates: number[]): DayRow[] {
  return skewRates.map((skewRate, i) => {
    const today = pairs.filter((p) => p.day === i + 1);
    const result = compare(
      profile,
      today.map((p) => p.served),
    );
    const drifted = result.features.filter((f) => f.drifted);
    const top = [...result.features].sort((a, b) => b.effect - a.effect)[0];
    const labels = today.map((p) => p.offline.label);
    return {
      day: i + 1,
      requests: today.length,
      skewRate,
      drifted: drifted.map((f) => f.feature),
      maxEffect: top?.effect ?? 0,
      maxFeature: top?.feature ?? '-',
      notes: drifted.map((f) => `day ${i + 1} ${f.feature}: ${f.note}`),
      aucServed: rocAuc(
        today.map((p) => p.servedScore),
        labels,
      ),
      aucOffline: rocAuc(
        today.map((p) => score(model, p.offline.features)),
        labels,
      ),
    };
  });
}

export function printSkew(out: Narrator, skews: FeatureSkew[]): void {
  out.table(
    ['feature', 'rows compared', 'differing', 'mean |diff|', 'pattern of the differences', 'example'],
    skews.map((s) => [
      s.feature,
      s.compared,
      fmt.pct(s.differing / Math.max(1, s.compared)),
      s.meanAbsDiff === null ? '-' : s.meanAbsDiff.toPrecision(3),
      s.pattern,
      s.example,
    ]),
  );
}

/** Enough alert lines to read the detector's reasons without flooding the terminal. */
const MAX_NOTES = 6;

export function printDays(out: Narrator, rows: DayRow[]): void {
  out.table(
    [
      'day',
      'world',
      'requests',
      'rows with skew',
      'drifted features',
      'largest effect',
      'AUC served',
      'AUC offline',
    ],
    rows.map((r) => [
      `day ${r.day}`,
      r.day < DRIFT_FROM_DAY ? 'steady' : 'holiday rush',
      r.requests,
      fmt.pct(r.skewRate),
      r.drifted.join(', ') || '-',
      `${r.maxEffect.toFixed(3)} ${r.maxFeature}`,
      r.aucServed?.toFixed(3) ?? '-',
      r.aucOffline?.toFixed(3) ?? '-',
    ]),
  );
  const notes = rows.flatMap((r) => r.notes);
  if (notes.length > 0) {
    out.say(`drift alerts (${notes.length}), with the detector's reasons:`);
    for (const line of notes.slice(0, MAX_NOTES)) out.say(`  ${line}`);
    if (notes.length > MAX_NOTES) out.say(`  ... ${notes.length - MAX_NOTES} more`);
  }
  // Each day drawn eight columns wide so six days still read as a chart.
  const wide = (values: number[]) => values.flatMap((v) => Array<number>(8).fill(v));
  out.chart(
    [
      {
        label: 'skew: share of rows differing from the offline recompute',
        values: wide(rows.map((r) => r.skewRate)),
      },
      {
        label: 'drift: largest effect size of the day (detector gate 0.1)',
        values: wide(rows.map((r) => r.maxEffect)),
      },
    ],
    {
      caption: `days 1..${rows.length}; the world changes from day ${DRIFT_FROM_DAY}: drift follows it, skew does not`,
      height: 8,
    },
  );
}
