/**
 * Lab `skew` (Q5, with Q8): training-serving skew against data drift.
 *
 * 1. Raw payments go to Postgres; the feature pipeline writes the customer aggregate to the
 *    feature store.
 * 2. The training pipeline (SQL + the store's point-in-time join) fits a versioned feature artifact
 *    (amount scaler, distance fill value), builds the training set and trains the fraud model.
 * 3. The fraud service computes the same features with its own code at request time for six days of
 *    traffic and logs every served vector (Redis Stream -> Postgres). From day 4 the world changes.
 * 4. The skew detector recomputes every logged request with the training code and compares values.
 * 5. The drift detector tests each day's served features against the training profile; the cost of
 *    any skew is measured as AUC and review decisions, served vs offline, on the same requests.
 * `--break` switches on one fault in the service's feature code.
 */
import { driftMigrations, loadProfile } from '@mlops-lab/drift';
import { describeFeatureViews } from '@mlops-lab/feature-store';
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import { customerActivityView } from '@mlops-lab/payments';
import { BREAKS, CHECK, servingConfigFor } from './breaks.ts';
import { serveTraffic } from './logger.ts';
import { FEATURES, REVIEW_SHARE } from './model.ts';
import { offlineMigrations } from './offline.ts';
import { dayRows, printDays, printSkew } from './report.ts';
import { FraudService } from './serving.ts';
import { compareFeatures, cost, loadPairs, skewByDay, TOLERANCE } from './skew.ts';
import { activityRows, loadActivity, OnlineCounts } from './store.ts';
import { PROFILE_NAME, runTrainingPipeline } from './train.ts';
import {
  buildWorld,
  DAY_MS,
  DRIFT_FROM_DAY,
  loadWorld,
  SERVE_DAYS,
  SERVE_START,
  timeline,
  worldMigrations,
} from './world.ts';

/** The skew rate may move this much between the steady days and the drifting ones and still be "constant". */
const SKEW_BAND = 0.03;
/**
 * Served AUC may trail offline AUC by this much. Both are computed on the same requests and labels,
 * so healthy they are equal; 0.005 is about half the standard error of either AUC at these sizes
 * (printed in the check), a gap no dashboard comparison would catch.
 */
const AUC_TOLERANCE = 0.005;
/** Review decisions on served features may differ from offline ones for this share of requests. */
const DECISION_TOLERANCE = 0.005;
/** The features the holiday rush moves (datagen `season`: amounts up, travel and online retail up). */
const RUSH_FEATURES = ['amount_z', 'merchant_category'];

const lab: LabDefinition = {
  name: 'skew',
  title: 'Training-serving skew vs data drift',
  questions: [5, 8],
  needs: ['postgres', 'redis'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const t = timeline(quick);
    for (const [owner, m] of [
      ['skew-world', worldMigrations],
      ['skew-offline', offlineMigrations],
      ['drift', driftMigrations],
    ] as const) {
      await services.migrate(owner, m);
    }

    const { world, activity } = await out.step(
      'Record the payments (Postgres) and the customer aggregate (feature store)',
      async () => {
        const world = buildWorld(seed, t);
        out.status('payments into Postgres');
        await loadWorld(services, world);
        const activity = activityRows([...world.history, ...world.days.flat()], seed);
        out.status(`${activity.length} feature rows into the feature store`);
        await loadActivity(services, activity);
        return { world, activity };
      },
    );
    out.say(
      `${world.history.length} payments of history (${t.warmupDays} warm-up days, ${t.trainDays} training days), ` +
        `${world.days.flat().length} requests over ${SERVE_DAYS} serving days, ${activity.length} feature rows`,
    );
    out.table(
      ['view', 'feature', 'type', 'ttl', 'owner'],
      describeFeatureViews([customerActivityView]).map((f) => [f.view, f.feature, f.type, f.ttl, f.owner]),
    );

    const { model, artifacts, trainingRows } = await out.step(
      'Training pipeline: fit the feature artifact, compute features offline, train',
      () => runTrainingPipeline(services, t),
    );
    out.table(
      ['artifact', 'fitted on', 'rows', 'ln(amount) mean', 'std', 'distance median (fill)'],
      artifacts.map((a) => [
        `v${a.version}`,
        a.note,
        a.rows,
        a.amount_log_mean.toFixed(4),
        a.amount_log_std.toFixed(4),
        a.distance_median.toFixed(1),
      ]),
    );
    out.say(
      `${trainingRows.length} training rows; model trained with artifact v${model.artifactVersion}; ` +
        `review threshold ${model.threshold.toFixed(3)} (top ${fmt.pct(REVIEW_SHARE)} of training scores)`,
    );
    out.table(
      ['feature', 'definition (training: SQL in offline.ts; serving: TypeScript in serving.ts)'],
      FEATURES.map((f) => [f.name, f.how]),
    );
    out.pointer(
      'labs/skew/offline.ts',
      'the training features in SQL: local hour, scaler and fill from a versioned artifact',
    );

    const config = servingConfigFor(fault);
    const served = await out.step(
      `Serve ${SERVE_DAYS} days of requests; log every served feature vector`,
      async () => {
        const counts = await OnlineCounts.open(
          services,
          activity,
          t.trainStart - t.warmupDays * DAY_MS,
          SERVE_START,
        );
        const service = await FraudService.start(services, model, config, counts);
        out.status(`scoring ${world.days.flat().length} requests`);
        const started = performance.now();
        const result = await serveTraffic(services, service, world.days);
        return { ...result, ms: performance.now() - started };
      },
    );
    out.say(
      `${served.served} requests scored, ${served.logged} feature vectors in prediction_log through the ` +
        `Redis Stream (${served.dropped} dropped), in ${(served.ms / 1000).toFixed(1)} s; the holiday rush starts on day ${DRIFT_FROM_DAY}`,
    );
    out.pointer('labs/skew/serving.ts', "the service's own feature code: the second implementation");

    const pairs = await out.step(
      'Skew detector: recompute each logged request with the training code, compare',
      () => loadPairs(services, model),
    );
    const skews = compareFeatures(pairs);
    printSkew(out, skews);
    const store = skews.find((s) => s.feature === 'txn_count_7d');
    out.say(
      `txn_count_7d, one definition in the feature store: online store at request time vs point-in-time ` +
        `join offline, ${store?.differing ?? 0} of ${store?.compared ?? 0} rows differ. The other features are ` +
        'written twice (SQL for training, TypeScript for serving).',
    );
    const noise = skews.find((s) => s.feature === 'amount_z')?.meanAbsDiff ?? 0;
    if (noise > 0 && noise < TOLERANCE) {
      out.say(
        `amount_z's mean |diff| of ${noise.toExponential(1)} is Postgres ln() against JavaScript Math.log() ` +
          `in the last bits of a double; a value differs when |served - offline| > ${TOLERANCE} x max(1, |offline|).`,
      );
    }
    out.pointer('labs/skew/skew.ts', 'the join on request, the tolerance, and the shape of the differences');

    const profile = await loadProfile(services.pg, PROFILE_NAME);
    if (!profile) throw new Error('training profile missing from Postgres: was step 2 skipped?');
    const rates = skewByDay(pairs, SERVE_DAYS);
    out.step('Day by day: skew rate vs the drift detector on the served features');
    const days = dayRows(model, profile, pairs, rates);
    printDays(out, days);
    out.pointer('packages/drift/src/detector.ts', 'why the drift detector cannot tell a bug from the world');

    out.step('What the skew costs: the same model on the same requests, served vs offline features');
    const c = cost(model, pairs);
    out.table(
      ['features', 'AUC', 'sent to review', 'decisions that differ'],
      [
        ['offline recompute', c.aucOffline.toFixed(4), fmt.pct(c.flaggedOffline), '-'],
        [
          'as served',
          c.aucServed.toFixed(4),
          fmt.pct(c.flaggedServed),
          `${c.decisionsChanged} of ${pairs.length}`,
        ],
      ],
    );

    const differing = skews.filter((s) => s.differing > 0);
    const before = days.filter((d) => d.day < DRIFT_FROM_DAY);
    const after = days.filter((d) => d.day >= DRIFT_FROM_DAY);
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
    const skewBefore = mean(before.map((d) => d.skewRate));
    const skewAfter = mean(after.map((d) => d.skewRate));
    // The holiday rush moves amounts and the merchant mix: an alert on either is the detector seeing it.
    const rushAlert = (d: (typeof days)[number]) => d.drifted.some((f) => RUSH_FEATURES.includes(f));
    const firstFlag = after.find(rushAlert);
    const decisionShare = c.decisionsChanged / Math.max(1, pairs.length);

    const checks: Check[] = [
      check(
        CHECK.servedEqualsOffline,
        differing.length === 0 && pairs.length === served.logged,
        differing.length === 0
          ? `0 of ${pairs.length} logged rows differ (${served.logged} logged)`
          : `differs: ${differing.map((s) => `${s.feature} in ${fmt.pct(s.differing / s.compared)} of rows`).join('; ')}`,
      ),
      check(
        CHECK.skewConstant,
        Math.abs(skewAfter - skewBefore) <= SKEW_BAND,
        `rows with skew: ${fmt.pct(skewBefore)} on days 1-${DRIFT_FROM_DAY - 1}, ${fmt.pct(skewAfter)} on days ${DRIFT_FROM_DAY}-${SERVE_DAYS} (band ${fmt.pct(SKEW_BAND)})`,
      ),
      check(
        CHECK.driftQuietBefore,
        before.every((d) => d.drifted.length === 0),
        before.map((d) => `day ${d.day}: ${d.drifted.join(', ') || 'quiet'}`).join('; '),
      ),
      check(
        CHECK.driftFlagged,
        firstFlag?.day === DRIFT_FROM_DAY,
        firstFlag
          ? `first flagged on day ${firstFlag.day}: ${firstFlag.drifted.join(', ')}`
          : `no alert on ${RUSH_FEATURES.join(' or ')} from day ${DRIFT_FROM_DAY} on`,
      ),
      check(
        CHECK.aucHolds,
        c.aucOffline - c.aucServed <= AUC_TOLERANCE,
        `served ${c.aucServed.toFixed(4)} vs offline ${c.aucOffline.toFixed(4)} (allowed gap ${AUC_TOLERANCE}; ` +
          `standard error of either AUC ${c.aucStdError.toFixed(3)})`,
      ),
      check(
        CHECK.decisionsHold,
        decisionShare <= DECISION_TOLERANCE,
        `${c.decisionsChanged} of ${pairs.length} decisions differ (${fmt.pct(decisionShare)}, allowed ${fmt.pct(DECISION_TOLERANCE)}); ` +
          `sent to review ${fmt.pct(c.flaggedServed)} served vs ${fmt.pct(c.flaggedOffline)} offline`,
      ),
    ];
    return {
      checks,
      metrics: {
        trainingRows: trainingRows.length,
        requests: pairs.length,
        skewRateBeforeDrift: skewBefore,
        skewRateAfterDrift: skewAfter,
        skewedFeatures: differing.map((s) => s.feature).join(',') || null,
        driftFirstFlaggedDay: firstFlag?.day ?? null,
        aucServed: c.aucServed,
        aucOffline: c.aucOffline,
        reviewRateServed: c.flaggedServed,
        reviewRateOffline: c.flaggedOffline,
        decisionsChanged: c.decisionsChanged,
        serveMs: served.ms,
      },
    };
  },
};

export default lab;
