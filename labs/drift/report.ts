/**
 * Reads the monitor's results back from Postgres (where the monitor wrote them) and shows them:
 * a per-week table and two small charts (drift evidence, and performance from delayed labels).
 */
import { PAYMENT_FEATURES } from '@mlops-lab/datagen';
import type { Schema } from '@mlops-lab/drift';
import { fmt, type Narrator } from '@mlops-lab/labkit';
import type { Services } from '@mlops-lab/services';
import type { WindowReport } from './monitor.ts';
import type { Phase, Scenario } from './scenario.ts';

/** The features the monitor profiles: every input the payments world produces. */
export const PROFILE_SCHEMA: Schema = PAYMENT_FEATURES.map(({ name, type }) => ({ name, type }));

export interface WeekRow {
  index: number;
  phase: Phase;
  faulted: boolean;
  drifted: string[];
  minPAdjusted: number;
  maxEffect: number;
  accuracy: number | null;
  auc: number | null;
  labelsAfter: number | null;
}

/** Enough alert lines to diagnose a fault without flooding the terminal. */
const MAX_ALERT_LINES = 8;

/** -log10 p, capped so one tiny p-value does not flatten the rest of the chart. */
const evidence = (p: number) => Math.min(20, -Math.log10(Math.max(p, 1e-300)));

export async function reportWindows(
  services: Services,
  out: Narrator,
  scenario: Scenario,
  windows: WindowReport[],
): Promise<WeekRow[]> {
  const drift = await services.pg.query<{ w: number; drifted: string[]; min_p: number; max_effect: number }>(
    `SELECT window_index AS w,
            coalesce(array_agg(feature ORDER BY feature) FILTER (WHERE drifted), '{}') AS drifted,
            min(least(p_adjusted, 1)) AS min_p, max(effect) AS max_effect
     FROM drift_results GROUP BY window_index`,
  );
  const perf = await services.pg.query<{ w: number; accuracy: number; auc: number | null; after: number }>(
    'SELECT window_index AS w, accuracy, auc, labels_arrived_after AS after FROM window_performance',
  );
  const driftBy = new Map(drift.rows.map((r) => [r.w, r]));
  const perfBy = new Map(perf.rows.map((r) => [r.w, r]));
  const rows: WeekRow[] = scenario.windows.map((w) => {
    const d = driftBy.get(w.index);
    const p = perfBy.get(w.index);
    return {
      index: w.index,
      phase: w.phase,
      faulted: w.faulted,
      drifted: d?.drifted ?? [],
      minPAdjusted: d?.min_p ?? 1,
      maxEffect: d?.max_effect ?? 0,
      accuracy: p?.accuracy ?? null,
      auc: p?.auc ?? null,
      labelsAfter: p?.after ?? null,
    };
  });

  const compareMs = new Map(windows.map((w) => [w.index, w.compareMs]));
  out.table(
    [
      'week',
      'phase',
      'drifted features',
      'min adj. p',
      'max effect',
      'accuracy',
      'AUC',
      'labels at',
      'test ms',
    ],
    rows.map((r) => [
      `w${r.index}`,
      r.phase,
      r.drifted.join(', ') || '-',
      fmt.p(r.minPAdjusted),
      r.maxEffect.toFixed(3),
      r.accuracy === null ? 'pending' : r.accuracy.toFixed(3),
      r.auc === null ? '-' : r.auc.toFixed(3),
      r.labelsAfter === null ? '-' : `w${r.labelsAfter}`,
      (compareMs.get(r.index) ?? 0).toFixed(0),
    ]),
  );
  // The detector's own reasons for every alert: what an on-call engineer reads first.
  const alerts = windows.flatMap((w) =>
    w.result.features.filter((f) => f.drifted).map((f) => `w${w.index} ${f.feature}: ${f.note}`),
  );
  if (alerts.length > 0) {
    out.say(`alerts (${alerts.length}), with the detector's reasons:`);
    for (const line of alerts.slice(0, MAX_ALERT_LINES)) out.say(`  ${line}`);
    if (alerts.length > MAX_ALERT_LINES)
      out.say(`  ... ${alerts.length - MAX_ALERT_LINES} more in table drift_results`);
  }
  // Each week is drawn four columns wide so a dozen weeks still read as a chart.
  const perWeek = (values: number[]) => values.flatMap((v) => [v, v, v, v]);
  out.chart(
    [
      {
        label: 'drift evidence: -log10(min adjusted p), capped at 20',
        values: perWeek(rows.map((r) => evidence(r.minPAdjusted))),
      },
    ],
    { caption: `weeks w1..w${rows.length}: the season lights up; the concept change does not`, height: 6 },
  );
  out.chart([{ label: 'AUC from delayed labels', values: perWeek(rows.map((r) => r.auc ?? Number.NaN)) }], {
    caption: `weeks w1..w${rows.length}: labels arrive ${scenario.labelDelay} weeks after serving`,
    height: 6,
  });
  return rows;
}
