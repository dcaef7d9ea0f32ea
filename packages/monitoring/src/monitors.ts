/**
 * The four kinds of monitor over one event-time window of the prediction log (Q26), the delayed
 * realized performance beside the label-free estimate (Q28), and alerts that say which monitor, which
 * window, by how much and since when.
 *
 * - input: every feature against the reference profile with @mlops-lab/drift's detector (KS /
 *   chi-squared, Benjamini-Hochberg over the window, an effect-size gate).
 * - output: the score distribution and the decision mix, by the same detector on a profile of the
 *   reference outputs, so they get the same discipline as the inputs.
 * - operational: latency p50 / p99 (nearest rank, @mlops-lab/evaluation's quantile) and error rate,
 *   against service-level bounds (a decision, not a statistic).
 * - business: fraud caught per 1,000 payments (labelled frauds the model declined or sent to review),
 *   known only once labels land. Realized and business alerts need an effect past their bound and a
 *   significant difference (3 Hanley-McNeil SEs for AUC, the Wilson interval for the rate).
 * - performance: realized AUC and accuracy from the window's labels, only when the labels cover the
 *   window; before that the window is "awaiting labels", and past the label deadline "stale", which
 *   alerts: missing labels must never read as a healthy model. CBPE's estimate (cbpe.ts) is there
 *   from the first minute.
 */
import { buildProfile, compare, type DriftReport, type Profile, type Schema } from '@mlops-lab/drift';
import { quantile, rocAuc, wilson } from '@mlops-lab/evaluation';
import {
  type CbpeModel,
  estimatePerformance,
  fitCbpe,
  hanleyMcNeil,
  type PerformanceEstimate,
} from './cbpe.ts';
import { MonitoringInputError } from './errors.ts';
import type { LoggedRow, LoggedWindow } from './store.ts';
import type { TimeWindow } from './windows.ts';

export type MonitorKind =
  | 'input'
  | 'output'
  | 'operational'
  | 'business'
  | 'estimated'
  | 'realized'
  | 'labels';

export interface Alert {
  monitor: MonitorKind;
  window: number;
  /** What moved, e.g. 'amount', 'p99 latency', 'estimated AUC'. */
  metric: string;
  value: number;
  reference: number;
  /** One line: by how much, against which bound. */
  detail: string;
  /** First window of the unbroken run of alerts on this monitor and metric (filled by trackAlerts). */
  since: number;
}

export interface MonitorReference {
  /** Profile of the reference inputs (@mlops-lab/drift buildProfile). */
  inputs: Profile;
  /** Profile of the reference outputs: `score` (numeric) and `decision` (categorical). */
  outputs: Profile;
  cbpe: CbpeModel;
  /** Realized on the reference: AUC and fraud caught per 1,000. */
  auc: number;
  fraudCaughtPer1000: number;
}

export interface MonitorBounds {
  /** p99 latency bound, ms (default 50). */
  p99Ms: number;
  /** Error-rate bound (default 0.01). */
  errorRate: number;
  /** An AUC this far under the reference alerts, estimated or realized (default 0.05). */
  aucDrop: number;
  /** A relative fall in fraud caught per 1,000 that alerts (default 0.25). */
  businessDrop: number;
  /** Share of a window's predictions that must be labelled before its realized metrics count (default 0.9). */
  labelCoverage: number;
  /** Labels are due this long after a window ends; past it, an uncovered window is stale (default 14 days). */
  labelDeadlineMs: number;
}

export const DEFAULT_BOUNDS: MonitorBounds = {
  p99Ms: 50,
  errorRate: 0.01,
  aucDrop: 0.05,
  businessDrop: 0.25,
  labelCoverage: 0.9,
  labelDeadlineMs: 14 * 86_400_000,
};

export const OUTPUT_SCHEMA: Schema = [
  { name: 'score', type: 'numeric' },
  { name: 'decision', type: 'categorical' },
];

/**
 * The reference side of the monitors, from labelled reference rows (scores, decisions, labels): the
 * input and output profiles, the realized AUC and fraud caught, and CBPE calibrated on the same rows.
 */
export function buildReference(
  rows: readonly { features: Record<string, unknown>; score: number; decision: string; label: 0 | 1 }[],
  inputSchema: Schema,
): MonitorReference {
  if (rows.length === 0) throw new MonitoringInputError('reference: no rows');
  const scores = rows.map((r) => r.score);
  const labels = rows.map((r) => r.label);
  return {
    inputs: buildProfile(
      rows.map((r) => r.features),
      inputSchema,
    ),
    outputs: buildProfile(rows, OUTPUT_SCHEMA),
    cbpe: fitCbpe(scores, labels),
    auc: rocAuc(scores, labels) ?? Number.NaN,
    fraudCaughtPer1000: caughtPer1000(rows),
  };
}

const caught = (r: { decision: string | null; label: 0 | 1 | null }) =>
  r.label === 1 && r.decision !== 'approve';
function caughtPer1000(rows: readonly { decision: string | null; label: 0 | 1 | null }[]): number {
  return rows.length ? (1000 * rows.filter(caught).length) / rows.length : Number.NaN;
}

export type LabelStatus = 'complete' | 'awaiting' | 'stale';

export interface WindowReport {
  window: TimeWindow;
  n: number;
  input: DriftReport;
  output: DriftReport;
  operational: { p50Ms: number; p99Ms: number; errorRate: number };
  estimated: PerformanceEstimate | null;
  realized: {
    status: LabelStatus;
    coverage: number;
    auc: number | null;
    accuracy: number | null;
    /** Median time from window end to a label landing, for the labelled rows (ms). */
    medianLagMs: number | null;
  };
  business: { fraudCaughtPer1000: number | null };
  alerts: Alert[];
}

const round = (v: number, d = 3) => Number(v.toFixed(d));

/**
 * Runs every monitor on the rows of one window as they stand at `asOf` (ms): labels that landed later
 * are not counted, so a report for a past moment shows what an operator could have seen then.
 */
export function monitorWindow(
  reference: MonitorReference,
  window: TimeWindow,
  rows: readonly LoggedRow[],
  asOf: number,
  bounds: Partial<MonitorBounds> = {},
): WindowReport {
  const b = { ...DEFAULT_BOUNDS, ...bounds };
  const alerts: Alert[] = [];
  const alert = (a: Omit<Alert, 'window' | 'since'>) =>
    alerts.push({ ...a, window: window.index, since: window.index });

  const input = compare(
    reference.inputs,
    rows.map((r) => r.features),
  );
  for (const f of input.features.filter((x) => x.drifted))
    alert({
      monitor: 'input',
      metric: f.feature,
      value: round(f.effect),
      reference: 0,
      detail: f.reasons[0],
    });

  const answered = rows.filter((r) => r.error === null && r.score !== null);
  const output = compare(
    reference.outputs,
    answered.map((r) => ({ score: r.score, decision: r.decision })),
  );
  for (const f of output.features.filter((x) => x.drifted))
    alert({
      monitor: 'output',
      metric: f.feature,
      value: round(f.effect),
      reference: 0,
      detail: f.reasons[0],
    });

  const latencies = rows.map((r) => r.latencyMs);
  const operational = {
    p50Ms: quantile(latencies, 0.5, { method: 'inverted_cdf' }),
    p99Ms: quantile(latencies, 0.99, { method: 'inverted_cdf' }),
    errorRate: rows.length ? (rows.length - answered.length) / rows.length : 0,
  };
  if (operational.p99Ms > b.p99Ms)
    alert({
      monitor: 'operational',
      metric: 'p99 latency ms',
      value: round(operational.p99Ms),
      reference: b.p99Ms,
      detail: `p99 ${operational.p99Ms.toFixed(1)} ms > bound ${b.p99Ms} ms`,
    });
  if (operational.errorRate > b.errorRate)
    alert({
      monitor: 'operational',
      metric: 'error rate',
      value: round(operational.errorRate, 4),
      reference: b.errorRate,
      detail: `error rate ${(100 * operational.errorRate).toFixed(2)}% > bound ${(100 * b.errorRate).toFixed(2)}%`,
    });

  const estimated = answered.length
    ? estimatePerformance(
        reference.cbpe,
        answered.map((r) => r.score!),
      )
    : null;
  if (estimated && estimated.auc < reference.cbpe.reference.auc - b.aucDrop)
    alert({
      monitor: 'estimated',
      metric: 'estimated AUC',
      value: round(estimated.auc),
      reference: round(reference.cbpe.reference.auc),
      detail: `CBPE AUC ${estimated.auc.toFixed(3)} ± ${(3 * estimated.seAuc).toFixed(3)} < reference ${reference.cbpe.reference.auc.toFixed(3)} - ${b.aucDrop}`,
    });

  // Labels as they stood at asOf.
  const labelled = answered.filter((r) => r.label !== null && r.labelledAt !== null && r.labelledAt <= asOf);
  const coverage = answered.length ? labelled.length / answered.length : 0;
  const status: LabelStatus =
    coverage >= b.labelCoverage ? 'complete' : asOf > window.end + b.labelDeadlineMs ? 'stale' : 'awaiting';
  const lags = labelled.map((r) => r.labelledAt! - window.end);
  const realized = {
    status,
    coverage,
    auc: null as number | null,
    accuracy: null as number | null,
    medianLagMs: lags.length ? quantile(lags, 0.5, { method: 'inverted_cdf' }) : null,
  };
  let business: number | null = null;
  if (status === 'complete') {
    const scores = labelled.map((r) => r.score!);
    const labels = labelled.map((r) => r.label!);
    realized.auc = rocAuc(scores, labels);
    const t = reference.cbpe.threshold;
    realized.accuracy = labelled.filter((r) => (r.score! >= t ? 1 : 0) === r.label).length / labelled.length;
    business = caughtPer1000(labelled);
    // Two gates, as for drift: a drop past the bound (effect) and past 3 standard errors of the
    // window's own AUC (Hanley-McNeil), so a small window's sampling noise does not alert.
    const positives = labels.filter((l) => l === 1).length;
    const se = realized.auc === null ? 0 : hanleyMcNeil(realized.auc, positives, labels.length - positives);
    if (
      realized.auc !== null &&
      realized.auc < reference.auc - b.aucDrop &&
      reference.auc - realized.auc > 3 * se
    )
      alert({
        monitor: 'realized',
        metric: 'realized AUC',
        value: round(realized.auc),
        reference: round(reference.auc),
        detail: `AUC ${realized.auc.toFixed(3)} from ${labelled.length} labels < reference ${reference.auc.toFixed(3)} - ${b.aucDrop}`,
      });
    // Same two gates: the relative fall, and the Wilson 95% interval of the rate entirely below the reference.
    const [, upper] = wilson(Math.round((business * labelled.length) / 1000), labelled.length);
    if (
      business < reference.fraudCaughtPer1000 * (1 - b.businessDrop) &&
      1000 * upper < reference.fraudCaughtPer1000
    )
      alert({
        monitor: 'business',
        metric: 'fraud caught per 1,000',
        value: round(business, 1),
        reference: round(reference.fraudCaughtPer1000, 1),
        detail: `${business.toFixed(1)} per 1,000 < reference ${reference.fraudCaughtPer1000.toFixed(1)} - ${100 * b.businessDrop}%`,
      });
  } else if (status === 'stale') {
    alert({
      monitor: 'labels',
      metric: 'label coverage',
      value: round(coverage),
      reference: b.labelCoverage,
      detail: `${(100 * coverage).toFixed(0)}% labelled ${((asOf - window.end) / 86_400_000).toFixed(0)} days after the window closed (due within ${b.labelDeadlineMs / 86_400_000} days): realized metrics unknown, not fine`,
    });
  }
  return {
    window,
    n: rows.length,
    input,
    output,
    operational,
    estimated,
    realized,
    business: { fraudCaughtPer1000: business },
    alerts,
  };
}

/** monitorWindow over each window of the log as of `asOf`, the alerts tracked across them. */
export function monitorWindows(
  reference: MonitorReference,
  windows: readonly LoggedWindow[],
  asOf: number,
  bounds: Partial<MonitorBounds> = {},
): WindowReport[] {
  const reports = windows.map(({ window, rows }) => monitorWindow(reference, window, rows, asOf, bounds));
  trackAlerts(reports);
  return reports;
}

/** Fills each alert's `since`: the first window of its unbroken run (same monitor and metric). */
export function trackAlerts(reports: readonly WindowReport[]): Alert[] {
  const open = new Map<string, number>();
  const all: Alert[] = [];
  for (const r of [...reports].sort((a, b) => a.window.index - b.window.index)) {
    const now = new Set<string>();
    for (const a of r.alerts) {
      const key = `${a.monitor}\n${a.metric}`;
      now.add(key);
      if (!open.has(key)) open.set(key, a.window);
      a.since = open.get(key)!;
      all.push(a);
    }
    for (const key of [...open.keys()]) if (!now.has(key)) open.delete(key);
  }
  return all;
}
