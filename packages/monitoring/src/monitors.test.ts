/**
 * The monitors on synthetic windows: a quiet window raises nothing; a default value sent by a broken
 * feature pipeline moves inputs and outputs; latency and errors past their bounds alert; missing labels
 * are "awaiting" before the deadline and alert as "stale" after it; `since` follows a run of alerts.
 */
import { describe, expect, it } from 'vitest';
import { scoredSample } from './fixtures/binary.ts';
import { buildReference, monitorWindow, trackAlerts } from './monitors.ts';
import type { LoggedRow } from './store.ts';
import { tumblingWindows } from './windows.ts';

const DAY = 86_400_000;
const [w0, w1] = tumblingWindows(Date.UTC(2026, 0, 5), 7 * DAY, 2);

function rows(seed: number, n: number, window = w0, edit: (r: LoggedRow, i: number) => void = () => {}) {
  const { scores, labels } = scoredSample(seed, n);
  return Array.from(scores, (score, i): LoggedRow => {
    const r: LoggedRow = {
      requestId: `r${seed}-${i}`,
      modelVersion: 'v1',
      at: window.start + i,
      features: { amount: 20 + 100 * score + (i % 7), channel: i % 3 ? 'web' : 'app' },
      score,
      decision: score >= 0.5 ? 'review' : 'approve',
      latencyMs: 2 + (i % 5),
      error: null,
      label: labels[i] as 0 | 1,
      labelledAt: window.end + 3 * DAY,
    };
    edit(r, i);
    return r;
  });
}

const refRows = rows(1, 20_000);
const reference = buildReference(
  refRows.map((r) => ({ features: r.features, score: r.score!, decision: r.decision!, label: r.label! })),
  [
    { name: 'amount', type: 'numeric' },
    { name: 'channel', type: 'categorical' },
  ],
);

describe('monitors', () => {
  it('a healthy window with its labels in raises nothing and reports realized and estimated AUC', () => {
    const report = monitorWindow(reference, w0, rows(2, 4000), w0.end + 10 * DAY);
    expect(report.alerts).toEqual([]);
    expect(report.realized.status).toBe('complete');
    expect(Math.abs(report.realized.auc! - report.estimated!.auc)).toBeLessThan(3 * report.estimated!.seAuc);
    expect(report.realized.medianLagMs).toBe(3 * DAY);
  });

  it('a default value from a broken pipeline alerts on the input, and latency / errors past bounds alert', () => {
    const broken = rows(3, 4000, w0, (r, i) => {
      if (i % 2) r.features.amount = 0;
      if (i % 50 === 0) r.latencyMs = 200;
      if (i % 40 === 0) {
        r.error = 'timeout';
        r.score = null;
      }
    });
    const report = monitorWindow(reference, w0, broken, w0.end + 10 * DAY);
    const kinds = report.alerts.map((a) => `${a.monitor}:${a.metric}`);
    expect(kinds).toEqual(
      expect.arrayContaining(['input:amount', 'operational:p99 latency ms', 'operational:error rate']),
    );
  });

  it('missing labels: awaiting before the deadline, a stale alert after it, never a realized figure', () => {
    const unlabelled = rows(4, 2000, w0, (r) => {
      r.label = null;
      r.labelledAt = null;
    });
    const early = monitorWindow(reference, w0, unlabelled, w0.end + DAY);
    expect(early.realized).toMatchObject({ status: 'awaiting', auc: null });
    expect(early.alerts).toEqual([]);
    const late = monitorWindow(reference, w0, unlabelled, w0.end + 20 * DAY);
    expect(late.realized).toMatchObject({ status: 'stale', auc: null });
    expect(late.alerts.map((a) => a.monitor)).toEqual(['labels']);
    // Labels that land after asOf do not count at asOf.
    const landedLater = monitorWindow(reference, w0, rows(5, 2000), w0.end + DAY);
    expect(landedLater.realized.status).toBe('awaiting');
  });

  it('since names the first window of a run of alerts', () => {
    const zero = (r: LoggedRow) => {
      r.features.amount = 0;
    };
    const a = monitorWindow(reference, w0, rows(6, 2000, w0, zero), w1.end + 30 * DAY);
    const b = monitorWindow(reference, w1, rows(7, 2000, w1, zero), w1.end + 30 * DAY);
    const alerts = trackAlerts([a, b]).filter((x) => x.metric === 'amount');
    expect(alerts.map((x) => [x.window, x.since])).toEqual([
      [0, 0],
      [1, 0],
    ]);
  });
});
