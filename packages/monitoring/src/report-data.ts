/**
 * What the monitoring report shows, computed from the prediction log (Q26, Q28, Q35): every monitor
 * run on each window's rows as of one moment, the alerts tracked across windows, and per window only
 * aggregates: the drift cells, latency and error rate, CBPE's estimate beside the realized metrics,
 * and histograms as shares over the reference's deciles (or top categories), never the rows. This is
 * why the report stays the same size whatever the traffic (bench/report.ts measures it). report.ts
 * renders it as HTML.
 */
import type { FeatureProfile } from '@mlops-lab/drift';
import {
  type Alert,
  type MonitorBounds,
  type MonitorReference,
  monitorWindows,
  type WindowReport,
} from './monitors.ts';
import type { LoggedRow, LoggedWindow } from './store.ts';

/** At most this many drifted features get a histogram per window (largest effect first). */
export const MAX_HISTOGRAMS = 6;
export const SCORE_BINS = 20;
const NUMERIC_BINS = 10;
const TOP_CATEGORIES = 8;

export interface FeatureHistogram {
  feature: string;
  bins: string[];
  reference: number[];
  window: number[];
  drifted: boolean;
}

export interface DriftCell {
  monitor: 'input' | 'output';
  feature: string;
  effectName: string;
  effect: number;
  pAdjusted: number;
  drifted: boolean;
  note: string;
}

/** One window as the report needs it: aggregates only. */
export interface ReportWindow {
  index: number;
  label: string;
  start: number;
  end: number;
  n: number;
  drift: DriftCell[];
  /** The score first, then the drifted inputs. */
  histograms: FeatureHistogram[];
  operational: { p50Ms: number; p99Ms: number; errorRate: number };
  estimated: { auc: number; seAuc: number; accuracy: number } | null;
  realized: WindowReport['realized'];
  fraudCaughtPer1000: number | null;
  alerts: Alert[];
}

export interface ReportData {
  title: string;
  /** The moment the report shows (ms): labels that landed later are not in it. */
  asOf: number;
  reference: { n: number; auc: number; estimatedAuc: number; fraudCaughtPer1000: number };
  windows: ReportWindow[];
}

const shares = (counts: number[]) => {
  const total = counts.reduce((s, c) => s + c, 0);
  return counts.map((c) => (total ? c / total : 0));
};

/** Index of the bin of v among ascending inner edges (bin k holds edges[k-1] < v <= edges[k]). */
function binOf(edges: readonly number[], v: number): number {
  let a = 0;
  let b = edges.length;
  while (a < b) {
    const m = (a + b) >> 1;
    if (v > edges[m]) a = m + 1;
    else b = m;
  }
  return a;
}

const fmtEdge = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : Number(v.toPrecision(3)).toString());

/** A feature's histogram: numeric over the reference sample's deciles, categorical over its top categories. */
function featureHistogram(
  profile: FeatureProfile,
  values: readonly unknown[],
  drifted: boolean,
): FeatureHistogram {
  if (profile.type === 'numeric') {
    const s = profile.sample;
    const edges = [
      ...new Set(
        Array.from(
          { length: NUMERIC_BINS - 1 },
          (_, k) => s[Math.floor(((k + 1) * s.length) / NUMERIC_BINS)],
        ),
      ),
    ].filter((e) => e !== undefined);
    const ref = new Array(edges.length + 1).fill(0);
    for (const v of s) ref[binOf(edges, v)]++;
    const win = new Array(edges.length + 1).fill(0);
    for (const v of values) if (typeof v === 'number' && Number.isFinite(v)) win[binOf(edges, v)]++;
    return {
      feature: profile.name,
      bins: ['min', ...edges.map(fmtEdge)],
      reference: shares(ref),
      window: shares(win),
      drifted,
    };
  }
  const top = Object.entries(profile.counts)
    .sort((a, b) => b[1] - a[1])
    .slice(0, TOP_CATEGORIES)
    .map(([c]) => c);
  const at = new Map(top.map((c, i) => [c, i]));
  const ref = new Array(top.length + 1).fill(0);
  for (const [c, n] of Object.entries(profile.counts)) ref[at.get(c) ?? top.length] += n;
  const win = new Array(top.length + 1).fill(0);
  for (const v of values) if (v !== null && v !== undefined) win[at.get(String(v)) ?? top.length]++;
  return {
    feature: profile.name,
    bins: [...top, 'other'],
    reference: shares(ref),
    window: shares(win),
    drifted,
  };
}

function scoreHistogram(reference: MonitorReference, scores: readonly number[]): FeatureHistogram {
  const profile = reference.outputs.features.find((f) => f.name === 'score');
  const bin = (v: number) => Math.min(SCORE_BINS - 1, Math.max(0, Math.floor(v * SCORE_BINS)));
  const ref = new Array(SCORE_BINS).fill(0);
  if (profile?.type === 'numeric') for (const v of profile.sample) ref[bin(v)]++;
  const win = new Array(SCORE_BINS).fill(0);
  for (const v of scores) win[bin(v)]++;
  return {
    feature: 'score',
    bins: Array.from({ length: SCORE_BINS }, (_, k) => (k / SCORE_BINS).toFixed(2)),
    reference: shares(ref),
    window: shares(win),
    drifted: false,
  };
}

/** The report's view of one monitored window: its aggregates, computed once from its rows. */
export function summarizeWindow(
  reference: MonitorReference,
  report: WindowReport,
  rows: readonly LoggedRow[],
  label = `w${report.window.index + 1}`,
): ReportWindow {
  const cells = (monitor: 'input' | 'output', r: WindowReport['input']): DriftCell[] =>
    r.features.map((f) => ({
      monitor,
      feature: f.feature,
      effectName: f.effectName,
      effect: f.effect,
      pAdjusted: f.pAdjusted,
      drifted: f.drifted,
      note: f.note,
    }));
  const drift = [...cells('input', report.input), ...cells('output', report.output)];
  const scoreDrift = report.output.features.find((f) => f.feature === 'score');
  const score = {
    ...scoreHistogram(
      reference,
      rows.flatMap((r) => (r.score === null || r.error !== null ? [] : [r.score])),
    ),
    drifted: scoreDrift?.drifted ?? false,
  };
  const drifted = report.input.features
    .filter((f) => f.drifted)
    .sort((a, b) => b.effect - a.effect)
    .slice(0, MAX_HISTOGRAMS);
  const histograms = [
    score,
    ...drifted.flatMap((f) => {
      const profile = reference.inputs.features.find((p) => p.name === f.feature);
      return profile
        ? [
            featureHistogram(
              profile,
              rows.map((r) => r.features[f.feature]),
              true,
            ),
          ]
        : [];
    }),
  ];
  const e = report.estimated;
  return {
    index: report.window.index,
    label,
    start: report.window.start,
    end: report.window.end,
    n: report.n,
    drift,
    histograms,
    operational: report.operational,
    estimated: e ? { auc: e.auc, seAuc: e.seAuc, accuracy: e.accuracy } : null,
    realized: report.realized,
    fraudCaughtPer1000: report.business.fraudCaughtPer1000,
    alerts: report.alerts,
  };
}

/** Runs every monitor on each window's rows as of `asOf`, tracks the alerts, and keeps the aggregates. */
export function reportData(
  title: string,
  reference: MonitorReference,
  windows: readonly LoggedWindow[],
  asOf: number,
  bounds: Partial<MonitorBounds> = {},
): ReportData {
  const reports = monitorWindows(reference, windows, asOf, bounds);
  return {
    title,
    asOf,
    reference: {
      n: reference.inputs.rowCount,
      auc: reference.auc,
      estimatedAuc: reference.cbpe.reference.auc,
      fraudCaughtPer1000: reference.fraudCaughtPer1000,
    },
    windows: reports.map((r, i) => summarizeWindow(reference, r, windows[i].rows)),
  };
}
