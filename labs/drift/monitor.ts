/**
 * Simulated serving traffic and the drift monitor, on the one prediction log of @mlops-lab/monitoring
 * (Q26, Q27).
 *
 * The serving side plays the model server: it scores each window's requests one by one and appends
 * each prediction (features, score, decision, its latency, the event time) to the log, whose consumer
 * group writes Postgres `prediction_log`. Labels arrive later (fraud is confirmed after a chargeback,
 * not at request time): after window w is served, the labels of window w - labelDelay land in
 * `prediction_labels`. The monitor runs as a window closes: once the log has persisted it, the window
 * is read back from Postgres by event time and tested against the stored profile (drift_results);
 * when a window's labels land, it is scored from the join of its labels to its logged predictions.
 */
import { generatePayments, mixSeed, type PaymentEvent } from '@mlops-lab/datagen';
import { compare, type DriftProfile, loadProfile } from '@mlops-lab/drift';
import { type FeatureValue, PredictionLog, readLogged, recordLabels } from '@mlops-lab/monitoring';
import type { Services } from '@mlops-lab/services';
import { accuracy, rocAuc } from '@mlops-lab/training';
import { DECISION_THRESHOLD, type Model, score } from './model.ts';
import { PROFILE_SCHEMA } from './report.ts';
import { type LiveWindow, type Scenario, WEEK_MS } from './scenario.ts';

export const monitorMigrations = [
  {
    id: '001_monitor_tables',
    sql: `
      CREATE TABLE drift_results (
        window_index int NOT NULL, feature text NOT NULL, test text NOT NULL, statistic float8,
        p_value float8, p_adjusted float8, effect_name text, effect float8, drifted boolean NOT NULL,
        note text, PRIMARY KEY (window_index, feature));
      CREATE TABLE window_performance (
        window_index int PRIMARY KEY, n_labeled int NOT NULL, accuracy float8 NOT NULL, auc float8,
        labels_arrived_after int NOT NULL);`,
  },
];

/** The model server's side: one prediction at a time, each appended to the log (which never waits). */
function serve(log: PredictionLog, model: Model, events: PaymentEvent[]): void {
  for (const e of events) {
    const t0 = performance.now();
    const s = score(model, [e])[0];
    const latencyMs = performance.now() - t0;
    const features: Record<string, FeatureValue> = {};
    for (const { name } of PROFILE_SCHEMA) features[name] = e[name as keyof PaymentEvent] as FeatureValue;
    log.append({
      requestId: e.eventId,
      modelVersion: 'reference-week',
      at: e.timestamp,
      features,
      score: s,
      decision: s >= DECISION_THRESHOLD ? 'fraud' : 'legit',
      latencyMs,
      error: null,
    });
  }
}

export interface WindowReport {
  index: number;
  compareMs: number;
  result: ReturnType<typeof compare>;
}

/** The window's predictions as the log holds them (event time in the window), against the profile. */
async function closeWindow(services: Services, window: LiveWindow, profile: DriftProfile) {
  const rows = await readLogged(services.pg, window.start, window.start + WEEK_MS);
  const started = performance.now();
  const result = compare(
    profile,
    rows.map((r) => r.features),
  );
  const compareMs = performance.now() - started;
  // One statement per window, a column array per field.
  const column = <K extends keyof (typeof result.features)[number]>(k: K) => result.features.map((f) => f[k]);
  await services.pg.query(
    `INSERT INTO drift_results
     SELECT $1, * FROM unnest($2::text[], $3::text[], $4::float8[], $5::float8[], $6::float8[],
                              $7::text[], $8::float8[], $9::boolean[], $10::text[])`,
    [
      window.index,
      column('feature'),
      column('test'),
      column('statistic'),
      column('pValue'),
      column('pAdjusted'),
      column('effectName'),
      column('effect'),
      column('drifted'),
      column('note'),
    ],
  );
  return { index: window.index, compareMs, result };
}

/** Window `w`'s labels land once window `servedThrough` has been served; then `w` is scored. */
async function landLabels(
  services: Services,
  scenario: Scenario,
  labels: [string, number][],
  w: number,
  servedThrough: number,
) {
  const window = scenario.windows.find((x) => x.index === w)!;
  const through = scenario.windows.find((x) => x.index === servedThrough)!;
  await recordLabels(
    services.pg,
    labels.map(([requestId, label]) => ({
      requestId,
      label: label as 0 | 1,
      labelledAt: through.start + WEEK_MS,
    })),
  );
  const rows = (await readLogged(services.pg, window.start, window.start + WEEK_MS)).filter(
    (r) => r.label !== null && r.score !== null,
  );
  const scores = rows.map((r) => r.score as number);
  const ys = rows.map((r) => r.label as number);
  await services.pg.query('INSERT INTO window_performance VALUES ($1, $2, $3, $4, $5)', [
    w,
    rows.length,
    accuracy(scores, ys, DECISION_THRESHOLD),
    rocAuc(scores, ys),
    servedThrough,
  ]);
}

/** Serves every live window through the log; the monitor tests each as it closes, scores it when labelled. */
export async function streamLiveTraffic(services: Services, scenario: Scenario, model: Model, seed: number) {
  const profile = await loadProfile(services.pg, 'payments-reference');
  if (!profile) throw new Error('reference profile missing from Postgres: was step 1 skipped?');
  const log = await PredictionLog.open(services, { stream: services.key('traffic') });
  const reports: WindowReport[] = [];
  const owed = new Map<number, [string, number][]>();
  try {
    for (const window of scenario.windows) {
      const events = generatePayments({
        seed: mixSeed(seed, 'window', window.index),
        size: scenario.windowSize,
        start: window.start,
        durationMs: WEEK_MS,
        drift: window.drift,
      });
      serve(log, model, events);
      // The window is closed: once every prediction of it is in Postgres, the monitor tests it.
      await log.persisted();
      reports.push(await closeWindow(services, window, profile));
      owed.set(
        window.index,
        events.map((e) => [e.eventId, e.label]),
      );
      const due = window.index - scenario.labelDelay;
      const labels = owed.get(due);
      if (labels) {
        owed.delete(due);
        await landLabels(services, scenario, labels, due, window.index);
      }
    }
    // Serving ends; labels still owed arrive after it, as they would in production.
    const last = scenario.windows.at(-1)?.index ?? 0;
    for (const [w, labels] of owed) await landLabels(services, scenario, labels, w, last);
    const { producer } = log.stats();
    if (producer.dropped > 0) throw new Error(`prediction log dropped ${producer.dropped} predictions`);
  } finally {
    await log.close();
  }
  return reports;
}
