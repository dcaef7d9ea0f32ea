/**
 * Lab `monitoring` (Q26, Q28, Q35): one prediction log, four kinds of monitor, performance without labels.
 *
 * 1. Train on a reference week; calibrate CBPE and profile inputs and outputs on a labelled holdout.
 * 2. Serve live weeks through the real model server; every prediction goes to the Redis Stream log and
 *    a consumer group writes it to Postgres. Count: rows = predictions served, exactly.
 * 3. Labels land two weeks after each week. Monitor every week as of the end of serving (the label gap)
 *    and once the labels are in: input, output, operational, business, realized vs CBPE.
 * 4. Prometheus: the server's /metrics against the log.
 * `--break` switches on a fault in the real path (breaks.ts).
 */
import { PAYMENT_FEATURES } from '@mlops-lab/datagen';
import { type Check, check, type LabDefinition } from '@mlops-lab/labkit';
import {
  buildReference,
  type MonitorBounds,
  migrateMonitoring,
  monitorWindows,
  readWindows,
  recordLabels,
  reportData,
  runScenarios,
  type ScenarioTable,
  tumblingWindows,
  type WindowReport,
  writeReport,
} from '@mlops-lab/monitoring';
import { paymentBody } from '@mlops-lab/payments';
import { BREAKS, CHECK } from './breaks.ts';
import { scrapeQuantile, scrapeValue, serveWeeks, type Traffic } from './serve.ts';
import {
  buildWorld,
  DAY,
  LABEL_DELAY,
  referenceEvents,
  START,
  trainModel,
  WEEK,
  weekEvents,
} from './world.ts';

const BACKLOG_BOUND = 2000;
/** The scenario table's check (no break touches it: it runs on its own seeded windows). */
const SCENARIO_CHECK =
  'label-free estimators: CBPE and DLE beat the constant reference under shift, all miss concept drift';
/** The first week a fault touches (the first steady week stays clean, a baseline). */
const FAULT_WEEK = 1;
/**
 * No fault of this lab is about latency, and a loaded machine is no latency regression: at 250 ms a
 * steady week alerted on p99 while a full `pnpm test` ran beside it (the debugging lab uses 1 s too).
 */
const BOUNDS: Partial<MonitorBounds> = { labelDeadlineMs: LABEL_DELAY + 3 * DAY, p99Ms: 1000 };
const INPUT_SCHEMA = PAYMENT_FEATURES.filter((f) => f.name !== 'country').map(({ name, type }) => ({
  name,
  type,
}));

const lab: LabDefinition = {
  name: 'monitoring',
  title: 'Monitoring: one prediction log, four kinds of signal, performance without labels',
  questions: [26, 28, 35],
  needs: ['postgres', 'redis'],
  breaks: BREAKS,
  report:
    'an HTML report of every week (monitors, alerts, CBPE vs realized), as `pnpm monitor report` writes',
  async run({ quick, seed, fault, services, out, report }) {
    const world = buildWorld(quick);
    await migrateMonitoring(services);

    const { model, reference } = await out.step(
      'Train on the reference week; calibrate CBPE on a holdout',
      async () => {
        const model = trainModel(referenceEvents(world, seed, 'train'));
        const holdout = referenceEvents(world, seed, 'holdout');
        const bodies = holdout.map(paymentBody);
        const scores = Array.from(await model.predictBatch(bodies.map((b) => model.preprocess(b))));
        const rows = holdout.map((e, i) => ({
          features: bodies[i] as Record<string, unknown>,
          score: scores[i],
          decision: model.postprocess(scores[i]).decision,
          label: e.label,
        }));
        return { model, reference: buildReference(rows, INPUT_SCHEMA) };
      },
    );
    const cal = reference.cbpe;
    out.say(
      `reference: ${world.referenceSize} payments, AUC ${(reference.auc).toFixed(3)}, fraud caught ${(reference.fraudCaughtPer1000).toFixed(1)} per 1,000; ` +
        `isotonic calibration ${cal.calibration ? 'kept' : 'not kept'} (held-out Brier ${cal.brier.raw.toFixed(4)} raw, ${cal.brier.calibrated.toFixed(4)} calibrated)`,
    );
    out.pointer('packages/monitoring/src/cbpe.ts', 'expected confusion matrix from calibrated scores, ±3 SE');

    const traffic: Traffic[] = world.weeks.map((w) => ({
      week: w.index,
      events: weekEvents(w, world, seed),
      mutate:
        fault === 'silent-degradation' && w.index >= FAULT_WEEK
          ? (b) => ({ ...b, deviceAgeDays: b.deviceAgeDays % 4 !== 0 ? 0 : b.deviceAgeDays })
          : undefined,
    }));
    const crashWeeks = fault === 'broken-metric-pipeline' ? new Set([2, 3, 4]) : undefined;
    const served = await out.step(
      `Serve ${world.weeks.length} weeks x ${world.weekSize} payments through the model server into the log`,
      () => serveWeeks(services, model, traffic, { crashWeeks }),
    );
    const logged = await services.pg.query<{ n: number; distinct: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT request_id)::int AS distinct FROM prediction_log WHERE role = 'served'",
    );
    const total = served.served + served.failed;
    const lost = total - logged.rows[0].distinct;
    const doubled = logged.rows[0].n - logged.rows[0].distinct;
    const duplicates = served.consumers.reduce((s, c) => s + c.duplicates, 0);
    out.say(
      `${total} predictions served in ${served.seconds.toFixed(1)} s (${(total / served.seconds).toFixed(0)}/s); ` +
        `${logged.rows[0].distinct} rows in Postgres: ${lost} lost, ${doubled} doubled; ${duplicates} redelivered entries recognised as duplicates`,
    );
    out.say(
      `log backlog: max ${served.maxBacklog} entries in the stream${served.maxBacklogWeek >= 0 ? ` (week ${served.maxBacklogWeek + 1})` : ''}, max ${served.maxPending} pending; producer dropped ${served.producer.dropped}`,
    );
    out.pointer(
      'packages/monitoring/src/consumer.ts',
      'insert, then XACK; own pending on restart; XAUTOCLAIM',
    );

    // Labels: each week's land two weeks after it ends, spread over two days; label-delay stops them.
    const labelStop = fault === 'label-delay' ? 3 : Number.POSITIVE_INFINITY;
    await out.step('Labels land two weeks after each week', async () => {
      for (const t of traffic) {
        if (t.week >= labelStop) continue;
        const end = world.weeks[t.week].start + WEEK;
        await recordLabels(
          services.pg,
          t.events.map((e, i) => ({
            requestId: e.eventId,
            label: e.label,
            labelledAt: end + LABEL_DELAY + Math.round((i / t.events.length) * 2 * DAY),
          })),
        );
      }
    });

    const windows = tumblingWindows(START + WEEK, WEEK, world.weeks.length);
    const servingEnd = windows.at(-1)!.end;
    const finalAsOf = servingEnd + LABEL_DELAY + 6 * DAY;
    // The weeks as logged, every label in: each monitoring moment counts only the labels landed by then.
    const loggedWeeks = await readWindows(services.pg, windows);
    const monitorAll = (asOf: number) => monitorWindows(reference, loggedWeeks, asOf, BOUNDS);
    const atEnd = monitorAll(servingEnd);
    const known = atEnd.filter((r) => r.realized.status === 'complete').length;
    out.say(
      `at the end of serving, realized AUC is known for ${known} of ${atEnd.length} weeks; CBPE has an estimate for all ${atEnd.filter((r) => r.estimated).length}`,
    );
    const reports = await out.step('Monitor every week once the labels are due', async () =>
      monitorAll(finalAsOf),
    );
    const phaseOf = (r: WindowReport) => world.weeks[r.window.index].phase;
    out.table(
      [
        'week',
        'phase',
        'input drift',
        'output drift',
        'p99 ms',
        'errors',
        'CBPE AUC ± 3SE',
        'realized AUC',
        'labels',
        'caught/1k',
      ],
      reports.map((r) => [
        `w${r.window.index + 1}`,
        phaseOf(r),
        r.input.driftedFeatures.join(' ') || '-',
        r.output.driftedFeatures.join(' ') || '-',
        r.operational.p99Ms.toFixed(1),
        `${(100 * r.operational.errorRate).toFixed(1)}%`,
        r.estimated ? `${r.estimated.auc.toFixed(3)}±${(3 * r.estimated.seAuc).toFixed(3)}` : '-',
        r.realized.auc === null ? '-' : r.realized.auc.toFixed(3),
        r.realized.status === 'complete' ? `${(100 * r.realized.coverage).toFixed(0)}%` : r.realized.status,
        r.business.fraudCaughtPer1000 === null ? '-' : r.business.fraudCaughtPer1000.toFixed(1),
      ]),
    );
    out.chart(
      [
        { label: 'CBPE AUC', values: reports.map((r) => r.estimated?.auc ?? Number.NaN) },
        { label: 'realized AUC', values: reports.map((r) => r.realized.auc ?? Number.NaN) },
      ],
      {
        height: 6,
        caption: 'AUC per week: the label-free estimate and the realized value once labels landed',
      },
    );
    const alerts = reports.flatMap((r) => r.alerts);
    for (const a of alerts.slice(0, 10))
      out.say(`alert w${a.window + 1} [${a.monitor}] ${a.metric} (since w${a.since + 1}): ${a.detail}`);
    if (alerts.length > 10) out.say(`... ${alerts.length - 10} more alerts`);
    out.pointer('packages/monitoring/src/monitors.ts', 'the four monitors, label status and alerts');
    if (report) {
      // The same weeks through the report's own path (reportData runs the monitors again on them).
      const bytes = await writeReport(
        report,
        reportData('monitoring lab', reference, loggedWeeks, finalAsOf, BOUNDS),
      );
      out.say(
        `report: ${report} (${(bytes / 1024).toFixed(1)} KB, ${loggedWeeks.length} weeks); open it in a browser`,
      );
      out.pointer(
        'packages/monitoring/src/report.ts',
        'the HTML report: aggregates only, charts as inline SVG',
      );
    }

    const scenarios = await out.step(
      'Three estimators over four scenarios (seeded windows of the payments world, estimate vs realized)',
      async () => runScenarios({ seed, windows: quick ? 4 : 8, windowSize: quick ? 1500 : 3000 }),
    );
    const pct = (v: number) => `${(100 * v).toFixed(0)}%`;
    out.table(
      ['scenario', 'estimator', 'AUC MAE', 'AUC in ±3SE', 'accuracy MAE', 'accuracy in ±3SE'],
      scenarios.rows.map((r) => [
        r.scenario,
        r.estimator,
        r.auc.mae.toFixed(4),
        pct(r.auc.coverage),
        r.accuracy.mae.toFixed(4),
        pct(r.accuracy.coverage),
      ]),
    );
    out.say(
      `reference: AUC ${scenarios.reference.auc.toFixed(3)}, accuracy ${scenarios.reference.accuracy.toFixed(3)}; ` +
        `${scenarios.windows.length / 4} windows of ${scenarios.windows[0].n} per scenario; every window's metric from its own summed confusion matrix`,
    );
    out.pointer(
      'packages/monitoring/src/dle.ts',
      "direct-loss estimation: a nanny model of each prediction's loss",
    );
    out.pointer('packages/monitoring/src/scenarios.ts', 'the scenario x estimator table');
    const scenarioVerdict = judgeScenarios(scenarios);

    const promRequests = scrapeValue(served.metricsText, 'model_server_requests_total');
    const promP99 = scrapeQuantile(served.metricsText, 'model_server_request_duration_seconds', 0.99) * 1000;
    const logP99 = Math.max(...reports.map((r) => r.operational.p99Ms));
    out.say(
      `Prometheus: model_server_requests_total ${promRequests}, p99 of model_server_request_duration_seconds <= ${(promP99).toFixed(1)} ms (bucket bound); ` +
        `the log: ${logged.rows[0].distinct} rows, worst weekly p99 ${(logP99).toFixed(1)} ms`,
    );

    const steady = reports.filter((r) => phaseOf(r) === 'steady');
    const steadyAlerts = steady.flatMap((r) => r.alerts);
    const covariate = reports.filter(
      (r) => phaseOf(r) === 'covariate' && r.realized.auc !== null && r.estimated,
    );
    const mae = covariate.length
      ? covariate.reduce((s, r) => s + Math.abs(r.estimated!.auc - r.realized.auc!), 0) / covariate.length
      : Number.NaN;
    const concept = reports.filter((r) => phaseOf(r) === 'concept');
    const conceptRealized = concept.filter((r) => r.realized.auc !== null);
    const conceptFall =
      conceptRealized.length === concept.length &&
      conceptRealized.every(
        (r) => r.realized.auc! < reference.auc - 0.05 && r.estimated!.auc - r.realized.auc! > 0.05,
      );
    const overdue = reports.filter((r) => finalAsOf > r.window.end + BOUNDS.labelDeadlineMs!);
    const missing = overdue.filter((r) => r.realized.status !== 'complete');
    const falseFine = reports.filter((r) => r.realized.status !== 'complete' && r.realized.auc !== null);
    const staleUnflagged = reports.filter(
      (r) => r.realized.status === 'stale' && !r.alerts.some((a) => a.monitor === 'labels'),
    );
    const weeks = (list: WindowReport[]) => list.map((r) => `w${r.window.index + 1}`).join(', ') || 'none';

    const checks: Check[] = [
      check(
        CHECK.logExact,
        lost === 0 && doubled === 0 && served.producer.dropped === 0,
        `${total} served, ${lost} lost, ${doubled} doubled, ${served.producer.dropped} dropped`,
      ),
      check(
        CHECK.logKeepsUp,
        served.maxBacklog < BACKLOG_BOUND,
        `max backlog ${served.maxBacklog} entries, max pending ${served.maxPending}`,
      ),
      check(
        CHECK.steadyQuiet,
        steadyAlerts.length === 0,
        steadyAlerts.length === 0
          ? `${steady.length} steady weeks, no alert`
          : steadyAlerts
              .slice(0, 3)
              .map((a) => `w${a.window + 1} ${a.monitor}:${a.metric}`)
              .join('; '),
      ),
      check(
        CHECK.cbpeTracks,
        covariate.length > 0 && mae <= 0.03,
        `MAE ${Number.isNaN(mae) ? 'n/a' : mae.toFixed(4)} over ${covariate.length} covariate-shift weeks with labels`,
      ),
      check(
        CHECK.conceptMissed,
        conceptFall,
        concept
          .map(
            (r) =>
              `w${r.window.index + 1}: realized ${r.realized.auc?.toFixed(3) ?? 'unknown'}, CBPE ${r.estimated?.auc.toFixed(3)}`,
          )
          .join('; '),
      ),
      check(
        CHECK.labelsLanded,
        missing.length === 0,
        missing.length ? `stale: ${weeks(missing)}` : `${overdue.length} weeks due, all labelled`,
      ),
      check(
        CHECK.noFalseFine,
        falseFine.length === 0 && staleUnflagged.length === 0,
        `${reports.filter((r) => r.realized.status === 'stale').length} stale weeks, each with a labels alert`,
      ),
      check(
        CHECK.prometheusAgrees,
        promRequests === total && logged.rows[0].distinct === total,
        `/metrics ${promRequests}, log ${logged.rows[0].distinct}, served ${total}`,
      ),
      check(SCENARIO_CHECK, scenarioVerdict.passed, scenarioVerdict.detail),
    ];
    const firstConcept = concept.find((r) => r.alerts.some((a) => a.monitor === 'realized'));
    return {
      checks,
      metrics: {
        predictionsServed: total,
        rowsLogged: logged.rows[0].distinct,
        lost,
        doubled,
        duplicateDeliveries: duplicates,
        maxBacklog: served.maxBacklog,
        predictionsPerSecond: total / served.seconds,
        referenceAuc: reference.auc,
        cbpeAucMae: Number.isNaN(mae) ? null : mae,
        realizedKnownAtEndOfServing: known,
        conceptSeenByLabelsAfterDays:
          firstConcept?.realized.medianLagMs != null
            ? (firstConcept.window.end + firstConcept.realized.medianLagMs - concept[0].window.start) / DAY
            : null,
        alerts: alerts.length,
        prometheusRequests: promRequests,
        ...scenarioMetrics(scenarios),
      },
    };
  },
};

/** `DLE unseen region auc mae` -> `dleUnseenRegionAucMae`. */
const camelKey = (words: string) =>
  words
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean)
    .map((w, i) => (i === 0 ? w : w[0].toUpperCase() + w.slice(1)))
    .join('');

const scenarioRow = (t: ScenarioTable, scenario: string, estimator: string) =>
  t.rows.find((r) => r.scenario === scenario && r.estimator === estimator)!;

/** Under covariate shift and in the unseen region both estimators err less than the constant; under concept drift no band covers. */
function judgeScenarios(t: ScenarioTable) {
  const shifted = ['covariate shift', 'unseen region'].flatMap((s) =>
    ['CBPE', 'DLE'].map((e) => ({
      s,
      e,
      mae: scenarioRow(t, s, e).accuracy.mae + scenarioRow(t, s, e).auc.mae,
      constant: scenarioRow(t, s, 'reference').accuracy.mae + scenarioRow(t, s, 'reference').auc.mae,
    })),
  );
  const beaten = shifted.filter((x) => x.mae < x.constant);
  const concept = t.rows.filter((r) => r.scenario === 'concept drift');
  const conceptCovered = concept.filter((r) => r.auc.coverage > 0);
  return {
    passed: beaten.length === shifted.length && conceptCovered.length === 0,
    detail:
      `${beaten.length}/${shifted.length} shifted cases beat the constant (AUC + accuracy MAE); ` +
      `concept drift AUC MAE ${concept.map((r) => `${r.estimator} ${r.auc.mae.toFixed(2)}`).join(', ')}, ${conceptCovered.length} covered`,
  };
}

/** AUC MAE per label-free estimator and scenario, e.g. dleUnseenRegionAucMae. */
function scenarioMetrics(t: ScenarioTable) {
  const metrics: Record<string, number> = {};
  for (const r of t.rows.filter((x) => x.estimator !== 'reference'))
    metrics[camelKey(`${r.estimator} ${r.scenario} auc mae`)] = r.auc.mae;
  return metrics;
}

export default lab;
