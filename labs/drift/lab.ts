/**
 * Lab `drift` (Q4, Q26, Q27): a drift monitor on a stream of payments.
 *
 * 1. A reference week trains the model and becomes a stored profile in Postgres.
 * 2. Live weeks stream through Redis (serving -> monitor); each week is tested against the profile.
 *    Steady weeks stay quiet, the holiday season is flagged by KS / chi-squared (data drift), and a
 *    change of fraud pattern passes every input test and shows up only when delayed labels arrive
 *    (concept drift).
 * 3. Alarm fatigue: at large n a negligible shift makes every p-value tiny; an effect-size gate with
 *    Benjamini-Hochberg keeps the alert quiet.
 * `--break` injects an incident into the steady weeks.
 */
import { generatePayments, mixSeed } from '@mlops-lab/datagen';
import { buildProfile, driftMigrations, saveProfile } from '@mlops-lab/drift';
import { type Check, check, type LabDefinition } from '@mlops-lab/labkit';
import { accuracy, rocAuc } from '@mlops-lab/training';
import { BREAKS, CHECK } from './breaks.ts';
import { alarmFatigue } from './fatigue.ts';
import { DECISION_THRESHOLD, score, trainModel } from './model.ts';
import { monitorMigrations, streamLiveTraffic } from './monitor.ts';
import { PROFILE_SCHEMA, reportWindows } from './report.ts';
import { buildScenario, START_MS, WEEK_MS } from './scenario.ts';

/** A week's performance may fall this far below the reference before it counts as degraded. */
const ACCURACY_TOLERANCE = 0.03;
const AUC_TOLERANCE = 0.1;
/** The holiday season must be flagged within this many weeks of its start. */
const SEASON_DEADLINE = 2;

const lab: LabDefinition = {
  name: 'drift',
  title: 'Data drift vs concept drift, and alarm fatigue',
  questions: [4, 26, 27],
  needs: ['postgres', 'redis'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const scenario = buildScenario(quick, fault);
    await services.migrate('drift', driftMigrations);
    await services.migrate('drift-lab', monitorMigrations);

    const { model, referenceAccuracy, referenceAuc } = await out.step(
      'Train on the reference week, store its profile',
      async () => {
        const reference = generatePayments({
          seed: mixSeed(seed, 'reference'),
          size: scenario.referenceSize,
          start: START_MS,
          durationMs: WEEK_MS,
        });
        const model = trainModel(reference);
        // Scored on a fresh sample of the same week, so the baseline is not a training-set figure.
        const holdout = generatePayments({
          seed: mixSeed(seed, 'holdout'),
          size: scenario.windowSize,
          start: START_MS,
          durationMs: WEEK_MS,
        });
        const scores = score(model, holdout);
        const labels = holdout.map((e) => e.label);
        await saveProfile(services.pg, 'payments-reference', buildProfile(reference, PROFILE_SCHEMA));
        return {
          model,
          referenceAccuracy: accuracy(scores, labels, DECISION_THRESHOLD),
          referenceAuc: rocAuc(scores, labels) ?? 0,
        };
      },
    );
    out.say(
      `reference: ${scenario.referenceSize} events, holdout accuracy ${referenceAccuracy.toFixed(3)}, AUC ${referenceAuc.toFixed(3)}`,
    );
    out.pointer('packages/drift/src/profile.ts', 'what a reference profile keeps, and why a sorted sample');

    const windows = await out.step(
      `Stream ${scenario.windows.length} live weeks through Redis; the monitor tests each one`,
      () => streamLiveTraffic(services, scenario, model, seed),
    );
    const rows = await reportWindows(services, out, scenario, windows);
    out.pointer(
      'packages/drift/src/detector.ts',
      'significance AND effect size before a feature counts as drifted',
    );
    out.pointer(
      'labs/drift/monitor.ts',
      'serving into the one prediction log (@mlops-lab/monitoring), the window monitor, the delayed-label join',
    );

    const fatigue = await out.step('Alarm fatigue: a negligible shift on a big sample', () =>
      alarmFatigue(scenario, seed, out),
    );

    const byPhase = (phase: string) => rows.filter((r) => r.phase === phase);
    const degraded = (r: (typeof rows)[number]) =>
      r.accuracy !== null &&
      (r.accuracy < referenceAccuracy - ACCURACY_TOLERANCE || (r.auc ?? 1) < referenceAuc - AUC_TOLERANCE);
    const steadyAlerts = byPhase('steady').filter((r) => r.drifted.length > 0);
    const steadyDegraded = byPhase('steady').filter(degraded);
    const seasonFlaggedAt = byPhase('season').findIndex((r) => r.drifted.length > 0);
    const conceptAlerts = byPhase('concept').filter((r) => r.drifted.length > 0);
    const conceptDegraded = byPhase('concept').filter(degraded);
    const weeks = (list: typeof rows) => list.map((r) => `w${r.index}`).join(', ') || 'none';

    const checks: Check[] = [
      check(
        CHECK.steadyQuiet,
        steadyAlerts.length === 0,
        steadyAlerts.length === 0
          ? 'no feature drifted in the steady weeks'
          : `alerts in ${weeks(steadyAlerts)}: ${steadyAlerts.map((r) => r.drifted.join('+')).join('; ')}`,
      ),
      check(
        CHECK.steadyPerformance,
        steadyDegraded.length === 0,
        `degraded weeks: ${weeks(steadyDegraded)} (reference accuracy ${referenceAccuracy.toFixed(3)}, AUC ${referenceAuc.toFixed(3)})`,
      ),
      check(
        CHECK.seasonFlagged,
        seasonFlaggedAt >= 0 && seasonFlaggedAt < SEASON_DEADLINE,
        seasonFlaggedAt >= 0
          ? `flagged in season week ${seasonFlaggedAt + 1} on ${byPhase('season')[seasonFlaggedAt].drifted.join(', ')}`
          : 'never flagged',
      ),
      check(
        CHECK.conceptInvisible,
        conceptAlerts.length === 0,
        conceptAlerts.length === 0 ? 'inputs unchanged: no alert' : `input alerts in ${weeks(conceptAlerts)}`,
      ),
      check(
        CHECK.conceptCaught,
        conceptDegraded.length === byPhase('concept').length,
        `degraded weeks: ${weeks(conceptDegraded)}, known ${scenario.labelDelay} weeks after serving`,
      ),
      check(
        CHECK.fatigueRaw,
        fatigue.rawSignificant >= 4,
        `${fatigue.rawSignificant}/${fatigue.features} features with raw p < 0.05 (min p ${fatigue.minP.toExponential(1)})`,
      ),
      check(
        CHECK.fatigueQuiet,
        fatigue.drifted.length === 0,
        fatigue.drifted.length === 0
          ? `max effect ${fatigue.maxEffect.toFixed(3)} under the gate`
          : `drifted: ${fatigue.drifted.join(', ')}`,
      ),
    ];

    const compareMs = windows.map((w) => w.compareMs);
    return {
      checks,
      metrics: {
        referenceAccuracy: referenceAccuracy,
        referenceAuc: referenceAuc,
        weeks: rows.length,
        eventsPerWeek: scenario.windowSize,
        seasonDetectedAfterWeeks: seasonFlaggedAt >= 0 ? seasonFlaggedAt + 1 : null,
        conceptMinAuc: Math.min(...byPhase('concept').map((r) => r.auc ?? 1)),
        compareMsMax: Math.max(...compareMs),
        fatigueSampleSize: scenario.fatigueSize,
        fatigueRawSignificant: fatigue.rawSignificant,
        fatigueMinP: fatigue.minP,
      },
    };
  },
};

export default lab;
