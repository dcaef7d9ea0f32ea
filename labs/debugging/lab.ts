/**
 * Lab `debugging` (Q30): "model quality dropped this week". A fraud model in production, a week of
 * traffic through the real model server into the prediction log, outcomes joined back by the quality
 * job; then the diagnosis, data -> model -> downstream, one step at a time with the project's own
 * tools (diagnostics.ts), until the evidence names the cause.
 *
 * 1. Train version 1 (old fraud pattern) and version 2 (the new one), register both, champion -> v2,
 *    routing champion: 100; calibrate CBPE and profile the inputs on v2's holdout.
 * 2. Record last week and this week (payments, the ledger export, the outcome feed) in Postgres;
 *    serve each week through the server that follows the registry; run the quality job.
 * 3. The monitoring report raises (or does not raise) the incident; the diagnostic steps follow,
 *    all of them or the ones `--investigate` names; the run counts the steps the diagnosis took.
 * A healthy run ends with the shortest path to each cause. `--break` switches a cause on in its
 * real code path (pipeline.ts, the registry, the quality job's key); `--mystery` hides which.
 */
import { PAYMENT_FEATURES } from '@mlops-lab/datagen';
import { type Check, check, type LabDefinition, type LabInvestigation } from '@mlops-lab/labkit';
import {
  buildReference,
  type MonitorBounds,
  migrateMonitoring,
  monitorWindows,
  readWindows,
  tumblingWindows,
} from '@mlops-lab/monitoring';
import { paymentBody } from '@mlops-lab/payments';
import { migrateRegistry, putArtifact, registerModel, setAlias, setRouting } from '@mlops-lab/registry';
import { rocAuc } from '@mlops-lab/training';
import { BREAKS, type Cause, CHECK, SHORTEST, STEPS, type StepName } from './breaks.ts';
import { type Finding, investigateAll } from './diagnostics.ts';
import { MODEL_NAME, servingModel, trainArtifact } from './model.ts';
import { EXPORT_STOPS, OUTCOME_DELAY, pipelineMigrations, recordWeek, runQualityJob } from './pipeline.ts';
import { serveWeek } from './serve.ts';
import { buildWorld, DAY, LAST_WEEK, THIS_WEEK, WEEK } from './world.ts';

const INPUT_SCHEMA = PAYMENT_FEATURES.filter((f) => f.name !== 'country').map(({ name, type }) => ({
  name,
  type,
}));
/**
 * Latency is not this incident's subject (a loaded laptop is not a latency regression). Fraud caught
 * per 1,000 is a small rate (about 25 in 1,000): a halving, past the Wilson interval, is the alert.
 */
const BOUNDS: Partial<MonitorBounds> = {
  p99Ms: 1000,
  businessDrop: 0.5,
  labelDeadlineMs: OUTCOME_DELAY + 3 * DAY,
};
const ROLLBACK_REASON = 'rollback: v2 suspected in the weekend latency page';

const lab: LabDefinition = {
  name: 'debugging',
  title: 'Debugging an incident: data, model, downstream, one diagnostic at a time',
  questions: [30],
  needs: ['postgres', 'redis'],
  breaks: BREAKS,
  investigations: STEPS,
  async run({ quick, seed, fault, services, out, investigate }) {
    const world = buildWorld(seed, quick);
    await migrateMonitoring(services);
    await migrateRegistry(services);
    await services.migrate('debugging', pipelineMigrations);

    const reference = await out.step(
      'Train v1 and v2, register both, champion -> v2, routing champion: 100',
      async () => {
        const artifacts = [trainArtifact(world.v1Train), trainArtifact(world.v2Train)];
        for (const [k, files] of artifacts.entries()) {
          const model = servingModel(files, k + 1, world.holdout);
          const scores = Array.from(
            await model.predictBatch(world.holdout.map((e) => model.preprocess(paymentBody(e)))),
          );
          const { hash } = await putArtifact(files);
          await registerModel(services.pg, {
            name: MODEL_NAME,
            version: k + 1,
            hash,
            dataRef:
              k === 0
                ? 'payments, six weeks ago (fraud pattern v1)'
                : 'payments, two weeks ago (fraud pattern v2)',
            metrics: {
              holdoutAuc: rocAuc(
                scores,
                world.holdout.map((e) => e.label),
              ),
            },
          });
        }
        await setAlias(services.pg, MODEL_NAME, 'champion', 1, 'first model');
        await setAlias(
          services.pg,
          MODEL_NAME,
          'champion',
          2,
          'retrained after the fraud pattern changed; AUC on the new pattern',
        );
        await setRouting(
          services,
          MODEL_NAME,
          { champion: 100 },
          { reason: 'all traffic to the champion', by: 'platform' },
        );
        // The monitoring reference: v2 on its holdout (scores, decisions, labels), CBPE calibrated there.
        const v2 = servingModel(artifacts[1], 2, world.holdout);
        const bodies = world.holdout.map(paymentBody);
        const scores = Array.from(await v2.predictBatch(bodies.map((b) => v2.preprocess(b))));
        const rows = world.holdout.map((e, k) => ({
          features: bodies[k] as Record<string, unknown>,
          score: scores[k],
          decision: v2.postprocess(scores[k]).decision,
          label: e.label,
        }));
        return {
          monitor: buildReference(rows, INPUT_SCHEMA),
          bodies: bodies as Record<string, unknown>[],
        };
      },
    );

    const windows = tumblingWindows(LAST_WEEK, WEEK, 2);
    const served = await out.step(
      `Serve last week and this week (${world.lastWeek.length} payments each) through the server that follows the registry`,
      async () => {
        await recordWeek(services, world.lastWeek);
        await recordWeek(services, world.thisWeek, fault === 'upstream-nulls' ? EXPORT_STOPS : undefined);
        const last = await serveWeek(services, { from: LAST_WEEK, to: THIS_WEEK }, '2026.09', world.holdout);
        if (fault === 'rolled-back-model')
          await setAlias(services.pg, MODEL_NAME, 'champion', 1, ROLLBACK_REASON);
        const release = fault === 'feature-regression' ? '2026.10' : '2026.09';
        const now = await serveWeek(
          services,
          { from: THIS_WEEK, to: THIS_WEEK + WEEK },
          release,
          world.holdout,
        );
        await runQualityJob(services, { from: LAST_WEEK, to: THIS_WEEK }, 'payment_id');
        await runQualityJob(
          services,
          { from: THIS_WEEK, to: THIS_WEEK + WEEK },
          fault === 'broken-metric' ? 'customer_id' : 'payment_id',
        );
        return { served: last.served + now.served, failed: last.failed + now.failed };
      },
    );
    const asOf = THIS_WEEK + WEEK + OUTCOME_DELAY + DAY;
    const [last, now] = monitorWindows(
      reference.monitor,
      await readWindows(services.pg, windows),
      asOf,
      BOUNDS,
    );
    out.say(
      `${served.served} predictions served and logged, ${served.failed} failed; outcomes joined by the quality job`,
    );

    const qualityAlerts = now.alerts.filter((a) => a.monitor === 'realized' || a.monitor === 'business');
    const headline = `realized AUC ${last.realized.auc?.toFixed(3)} last week, ${now.realized.auc?.toFixed(3)} this week; fraud caught per 1,000: ${last.business.fraudCaughtPer1000?.toFixed(1)}, ${now.business.fraudCaughtPer1000?.toFixed(1)}`;
    out.say(
      qualityAlerts.length > 0
        ? `INCIDENT: "model quality dropped this week": ${headline}`
        : `no incident: ${headline}`,
    );

    const findings = await investigateAll({
      services,
      reference: reference.monitor,
      reports: [last, now],
      referenceBodies: reference.bodies,
      labelKey: fault === 'broken-metric' ? 'customer_id' : 'payment_id',
    });
    const taken = await walk(findings, investigate, out);

    const causes = new Set(Object.values(findings).flatMap((f) => f.evidence.map((e) => e.cause)));
    const firstEvidence = taken.findIndex((s) => findings[s].evidence.length > 0);
    out.say(
      `diagnosis: ${taken.length} step${taken.length === 1 ? '' : 's'} run (${taken.join(' -> ') || 'none'}); ` +
        (firstEvidence >= 0 ? `evidence first at step ${firstEvidence + 1}` : 'no evidence in the steps run'),
    );
    // The same map in every run: by symptom, never by cause, so a mystery run shows nothing the
    // healthy one does not (a row named after the armed cause would be redacted, and so give it away).
    printShortestPaths(out);
    if (fault !== null)
      out.say(
        `the shortest path to this incident's cause takes ${SHORTEST[fault as Cause].steps.length} steps`,
      );

    const checks: Check[] = [
      check(
        CHECK.quality,
        qualityAlerts.length === 0,
        qualityAlerts.length === 0 ? headline : qualityAlerts.map((a) => a.detail).join('; '),
      ),
      check(
        CHECK.noCause,
        causes.size === 0,
        causes.size === 0
          ? `${STEPS.length} diagnostic steps, no evidence`
          : 'evidence found: follow data -> model -> downstream (--investigate <step>), then --guess the cause',
      ),
      check(
        CHECK.oneCause,
        causes.size <= 1,
        `${causes.size} cause${causes.size === 1 ? '' : 's'} in the evidence`,
      ),
    ];
    return {
      checks,
      metrics: {
        lastWeekAuc: last.realized.auc,
        thisWeekAuc: now.realized.auc,
        thisWeekCbpeAuc: now.estimated?.auc ?? null,
        lastWeekCaughtPer1000: last.business.fraudCaughtPer1000,
        thisWeekCaughtPer1000: now.business.fraudCaughtPer1000,
        predictions: served.served,
        diagnosticSteps: taken.length,
        evidenceAtStep: firstEvidence >= 0 ? firstEvidence + 1 : null,
      },
    };
  },
};

/** Shows the steps the learner picked (all of them, in order, by default); returns the ones shown. */
async function walk(
  findings: Record<StepName, Finding>,
  plan: Parameters<LabDefinition['run']>[0]['investigate'],
  out: Parameters<LabDefinition['run']>[0]['out'],
): Promise<StepName[]> {
  const taken: StepName[] = [];
  const show = (name: StepName) => {
    const step = STEPS.find((s) => s.name === name) as LabInvestigation;
    out.step(`Investigate: ${step.name}: ${step.summary}`);
    findings[name].render(out);
    taken.push(name);
  };
  if (plan === null) for (const s of STEPS) show(s.name as StepName);
  else if ('steps' in plan) for (const s of plan.steps) show(s as StepName);
  else {
    for (;;) {
      const next = await plan.ask(STEPS, taken);
      if (next === null) break;
      show(next as StepName);
    }
  }
  return taken;
}

function printShortestPaths(out: Parameters<LabDefinition['run']>[0]['out']): void {
  out.step('The shortest path from each symptom (the lab test proves each step holds its evidence)');
  out.table(
    ['what the monitoring report shows', 'path', 'steps'],
    Object.values(SHORTEST).map((p) => [p.lead, p.steps.join(' -> '), p.steps.length]),
  );
}

export default lab;
