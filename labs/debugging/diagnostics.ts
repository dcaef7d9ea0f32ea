/**
 * The diagnostic steps of the debugging lab (Q30), each with the project's own tool: the monitoring
 * report (@mlops-lab/monitoring's window monitors and CBPE), drift tests against the reference
 * profile (@mlops-lab/drift, plus the point mass a default fill leaves), the skew comparison
 * (@mlops-lab/feature-store's compareServedToOffline against the training code's recompute), the
 * registry's alias and routing history beside the prediction log's versions, and an audit of the
 * quality job's label join. Each step computes a finding: what it prints, and the evidence it holds
 * (the cause it points at, for the test and the diagnosis count; never printed as a cause name).
 */

import { rocAuc } from '@mlops-lab/evaluation';
import { compareServedToOffline, type SamplePoint } from '@mlops-lab/feature-store';
import type { Narrator } from '@mlops-lab/labkit';
import { type LoggedRow, type MonitorReference, readLogged, type WindowReport } from '@mlops-lab/monitoring';
import { aliasHistory, routingHistory } from '@mlops-lab/registry';
import type { Services } from '@mlops-lab/services';
import type { Cause, StepName } from './breaks.ts';
import { MODEL_NAME } from './model.ts';
import { AMOUNT_DEFAULT, featureRows, type LabelKey, trainingRequest } from './pipeline.ts';

export interface Evidence {
  cause: Cause;
  line: string;
}

export interface Finding {
  step: StepName;
  render(out: Narrator): void;
  evidence: Evidence[];
}

export interface Incident {
  services: Services;
  reference: MonitorReference;
  /** The monitoring reports of last week and this week, as of after the outcomes landed. */
  reports: [WindowReport, WindowReport];
  /** Request bodies of the reference (the holdout v2 was checked on). */
  referenceBodies: Record<string, unknown>[];
  labelKey: LabelKey;
}

const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
const NUMERIC = ['amount', 'hourOfDay', 'deviceAgeDays', 'distanceKm'] as const;
const FEATURES = [...NUMERIC, 'channel', 'merchantCategory'];
/** The feature query's fill value per feature (only the ledger's amount is joined in and filled). */
const DEFAULTS: Record<string, number> = { amount: AMOUNT_DEFAULT };

async function weekRows(i: Incident, w: 0 | 1): Promise<LoggedRow[]> {
  const { window } = i.reports[w];
  return readLogged(i.services.pg, window.start, window.end);
}

function monitoring(i: Incident): Finding {
  const [last, now] = i.reports;
  const cell = (v: number | null) => (v === null ? '-' : v.toFixed(3));
  return {
    step: 'monitoring',
    evidence: [],
    render(out) {
      out.table(
        ['week', 'predictions', 'input drift', 'output drift', 'CBPE AUC', 'realized AUC', 'caught/1k'],
        [
          [
            'reference',
            i.referenceBodies.length,
            '-',
            '-',
            cell(i.reference.cbpe.reference.auc),
            cell(i.reference.auc),
            i.reference.fraudCaughtPer1000.toFixed(1),
          ],
          ...[last, now].map((r, k) => [
            k === 0 ? 'last week' : 'this week',
            r.n,
            r.input.driftedFeatures.join(' ') || '-',
            r.output.driftedFeatures.join(' ') || '-',
            r.estimated ? `${r.estimated.auc.toFixed(3)} ± ${(3 * r.estimated.seAuc).toFixed(3)}` : '-',
            cell(r.realized.auc),
            r.business.fraudCaughtPer1000?.toFixed(1) ?? '-',
          ]),
        ],
      );
      const alerts = now.alerts;
      if (alerts.length === 0) out.say('this week: no alert');
      for (const a of alerts) out.say(`alert [${a.monitor}] ${a.metric}: ${a.detail}`);
      out.pointer('packages/monitoring/src/monitors.ts', 'the monitors, CBPE beside the realized AUC');
    },
  };
}

async function drift(i: Incident): Promise<Finding> {
  const now = i.reports[1];
  const rows = await weekRows(i, 1);
  const evidence: Evidence[] = [];
  const masses: (string | number)[][] = [];
  for (const f of NUMERIC) {
    const values = rows.map((r) => r.features[f] as number);
    const counts = new Map<number, number>();
    for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
    const [mode, n] = [...counts].sort((a, b) => b[1] - a[1])[0];
    const share = n / values.length;
    const refShare = i.referenceBodies.filter((b) => b[f] === mode).length / i.referenceBodies.length;
    masses.push([f, String(mode), pct(share), pct(refShare), DEFAULTS[f] === mode ? 'yes' : 'no']);
    // A default fill is a point mass at exactly the pipeline's fill value that the reference lacks.
    if (DEFAULTS[f] === mode && share - refShare > 0.1) {
      const first = rows.find((r) => r.features[f] === mode)!;
      evidence.push({
        cause: 'upstream-nulls',
        line: `${f}: ${pct(share)} of this week's values are exactly ${mode}, the feature query's fill value for a missing upstream row (reference ${pct(refShare)}), from ${day(first.at)} on`,
      });
    }
  }
  return {
    step: 'drift',
    evidence,
    render(out) {
      out.table(
        ['feature', 'test', 'p (BH)', 'effect', 'drifted'],
        now.input.features.map((f) => [
          f.feature,
          f.test,
          f.pAdjusted.toExponential(1),
          f.effect.toFixed(3),
          f.drifted ? 'yes' : 'no',
        ]),
      );
      out.table(
        ['feature', 'most common value', 'share this week', 'share in reference', "pipeline's fill value"],
        masses,
      );
      for (const e of evidence) out.say(e.line);
      if (evidence.length === 0) out.say('no point mass at a fill value');
      out.pointer(
        'packages/drift/src/detector.ts',
        'significance and effect size before a feature counts as drifted',
      );
    },
  };
}

async function skew(i: Incident): Promise<Finding> {
  const rows = await weekRows(i, 1);
  const offline = new Map(
    (await featureRows(i.services, { paymentIds: rows.map((r) => r.requestId) })).map((o) => [
      o.paymentId,
      o,
    ]),
  );
  const sample: SamplePoint[] = rows.map((r) => ({ keys: { payment: r.requestId }, timestamp: r.at }));
  const report = compareServedToOffline(
    sample,
    FEATURES,
    rows.map((r) => {
      const o = offline.get(r.requestId);
      return o ? trainingRequest(o) : null;
    }),
    rows.map((r) => ({ values: r.features as Record<string, number | string> })),
  );
  const evidence: Evidence[] = [];
  const table = FEATURES.map((f) => {
    const s = report.features[f];
    const ratios = rows
      .map((r) => {
        const o = offline.get(r.requestId);
        const off = o ? (trainingRequest(o) as Record<string, unknown>)[f] : null;
        return typeof off === 'number' && off !== 0 ? (r.features[f] as number) / off : null;
      })
      .filter((x): x is number => x !== null && Number.isFinite(x));
    const lo = ratios.length ? Math.min(...ratios) : Number.NaN;
    const hi = ratios.length ? Math.max(...ratios) : Number.NaN;
    const ratio =
      s.mismatches === 0
        ? '-'
        : hi - lo < 0.01 * Math.abs(hi)
          ? `served = ${hi.toFixed(2)} x offline in every row`
          : `${lo.toFixed(2)} to ${hi.toFixed(2)}`;
    if (s.mismatches > 0)
      evidence.push({
        cause: 'feature-regression',
        line: `${f}: ${s.mismatches} of ${s.compared} served values differ from the training code's recompute of the same payment (${ratio}); e.g. served ${s.examples[0]?.online}, training code ${s.examples[0]?.offline}`,
      });
    return [f, s.compared, s.mismatches, ratio];
  });
  return {
    step: 'skew',
    evidence,
    render(out) {
      out.table(['feature', 'compared', 'differ', 'pattern'], table);
      for (const e of evidence) out.say(e.line);
      if (evidence.length === 0)
        out.say(`every served value equals the training code's recompute (${report.sampled} payments)`);
      out.pointer('packages/feature-store/src/consistency.ts', 'served vs offline, value by value');
    },
  };
}

async function registry(i: Incident): Promise<Finding> {
  const history = await aliasHistory(i.services.pg, MODEL_NAME, 'champion');
  const routes = await routingHistory(i.services.pg, MODEL_NAME);
  const served: Map<string, number>[] = [];
  for (const w of [0, 1] as const) {
    const m = new Map<string, number>();
    for (const r of await weekRows(i, w)) m.set(r.modelVersion, (m.get(r.modelVersion) ?? 0) + 1);
    served.push(m);
  }
  const mix = (m: Map<string, number>) => [...m].map(([v, n]) => `v${v} ${n}`).join(', ');
  const evidence: Evidence[] = [];
  const lastVersions = [...served[0].keys()];
  const back = history.filter((h) => h.fromVersion !== null && h.toVersion < h.fromVersion);
  const changed = [...served[1].keys()].some((v) => !lastVersions.includes(v));
  if (back.length > 0 && changed) {
    const h = back.at(-1)!;
    evidence.push({
      cause: 'rolled-back-model',
      line: `champion moved back from v${h.fromVersion} to v${h.toVersion} ("${h.reason}"); this week ${mix(served[1])}, last week ${mix(served[0])}; routing unchanged (${routes.length} revision${routes.length === 1 ? '' : 's'})`,
    });
  }
  return {
    step: 'registry',
    evidence,
    render(out) {
      out.table(
        ['#', 'champion', 'reason'],
        history.map((h, k) => [
          k + 1,
          `${h.fromVersion === null ? '-' : `v${h.fromVersion}`} -> v${h.toVersion}`,
          h.reason,
        ]),
      );
      out.table(
        ['revision', 'routing table', 'reason'],
        routes.map((r) => [r.revision, JSON.stringify(r.to), r.reason]),
      );
      out.say(`prediction log: last week ${mix(served[0])}; this week ${mix(served[1])}`);
      for (const e of evidence) out.say(e.line);
      if (evidence.length === 0) out.say('the version that served last week served this week');
      out.pointer('packages/registry/src/aliases.ts', 'aliasHistory: every move with its reason');
    },
  };
}

async function labels(i: Incident): Promise<Finding> {
  const { window } = i.reports[1];
  const key = i.labelKey === 'payment_id' ? 'o.payment_id = p.request_id' : 'o.customer_id = pay.customer_id';
  const { rows } = await i.services.pg.query<{
    matches: number;
    recorded: number | null;
    own: number;
    score: number;
  }>(
    `SELECT (SELECT count(*) FROM dbg_outcomes o
              WHERE ${key} AND o.at >= to_timestamp($1 / 1000.0) AND o.at < to_timestamp($2 / 1000.0))::int AS matches,
            l.label AS recorded, own.label AS own, p.score
       FROM prediction_log p JOIN dbg_payments pay ON pay.payment_id = p.request_id
       LEFT JOIN prediction_labels l ON l.request_id = p.request_id
       JOIN dbg_outcomes own ON own.payment_id = p.request_id
      WHERE p.role = 'served' AND p.at >= to_timestamp($1 / 1000.0) AND p.at < to_timestamp($2 / 1000.0)`,
    [window.start, window.end],
  );
  const perPrediction = rows.reduce((s, r) => s + r.matches, 0) / rows.length;
  const labelled = rows.filter((r) => r.recorded !== null);
  const wrong = labelled.filter((r) => Number(r.recorded) !== Number(r.own)).length;
  const recordedAuc = rocAuc(
    labelled.map((r) => r.score),
    labelled.map((r) => Number(r.recorded)),
  );
  const ownAuc = rocAuc(
    rows.map((r) => r.score),
    rows.map((r) => Number(r.own)),
  );
  const evidence: Evidence[] = [];
  // With one outcome per payment, a key that identifies the payment matches exactly one row.
  if (perPrediction > 1.01 || wrong > 0)
    evidence.push({
      cause: 'broken-metric',
      line: `the quality job joins outcomes on ${i.labelKey}: ${perPrediction.toFixed(2)} outcomes per prediction, ${wrong} of ${labelled.length} recorded labels (${pct(wrong / labelled.length)}) are not the payment's own outcome; AUC with the payment's own outcome ${ownAuc?.toFixed(3)}, as recorded ${recordedAuc?.toFixed(3)}`,
    });
  return {
    step: 'labels',
    evidence,
    render(out) {
      out.table(
        [
          'join',
          'key',
          'outcomes per prediction',
          'labels recorded',
          "not the payment's own",
          'AUC recorded',
          'AUC own outcome',
        ],
        [
          [
            // The row is named for the join; its key is a finding, so it sits in a cell.
            'the quality job',
            i.labelKey,
            perPrediction.toFixed(2),
            labelled.length,
            wrong,
            recordedAuc?.toFixed(3) ?? '-',
            ownAuc?.toFixed(3) ?? '-',
          ],
        ],
      );
      for (const e of evidence) out.say(e.line);
      if (evidence.length === 0) out.say('one outcome per prediction, every label is its own payment’s');
      out.pointer('labs/debugging/pipeline.ts', 'runQualityJob: the label join the realized metrics read');
    },
  };
}

/** Every step's finding, computed up front (cheap queries) so a run that shows one can still check all. */
export async function investigateAll(i: Incident): Promise<Record<StepName, Finding>> {
  return {
    monitoring: monitoring(i),
    drift: await drift(i),
    skew: await skew(i),
    registry: await registry(i),
    labels: await labels(i),
  };
}
