/**
 * Lab `pit-join` (Q6, Q7): the same model trained on two training sets built from the same feature
 * tables. The naive one joins each payment with its customer's latest feature values; the other
 * uses the feature store's point-in-time join. Both are scored offline (a held-out week, joined
 * the same way as their training data) and in production (later weeks, with the features serving
 * actually had). The leak shows as offline AUC that production does not confirm.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { describeFeatureViews, type EntityRow } from '@mlops-lab/feature-store';
import { type Check, check, type LabDefinition } from '@mlops-lab/labkit';
import { BREAKS, CHECK, joinFor } from './breaks.ts';
import { compareSets, oracleFeatures, servedFeatures } from './compare.ts';
import { auc, storeWeights, train } from './train.ts';
import { CORRECT, latestValueFeatures, loadSources, pointInTimeFeatures, VIEWS } from './views.ts';
import { buildWorld, DAY_MS, START_MS, TRAIN_WEEKS } from './world.ts';

/** A leak counts as inflation when offline AUC beats production by more than this. */
const INFLATION = 0.05;
/** Rows of the training set compared with what serving saw. */
const SERVED_SAMPLE = 400;

const entityRowsOf = (payments: PaymentEvent[]): EntityRow[] =>
  payments.map((p) => ({ keys: { customer_id: p.customerId }, timestamp: p.timestamp }));

const lab: LabDefinition = {
  name: 'pit-join',
  title: 'Point-in-time joins: the leak that inflates offline AUC',
  questions: [6, 7],
  needs: ['postgres'],
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const world = await out.step('Generate eight weeks of payments, disputes and feature rows', async () => {
      const w = buildWorld(seed, quick);
      await loadSources(services, w);
      return w;
    });
    out.say(
      `${world.payments.length} payments; feature rows: customer_activity ${world.activity.length}, ` +
        `customer_risk ${world.risk.length} + ${world.riskBackfill.length} backfilled`,
    );
    out.table(
      ['view', 'feature', 'type', 'ttl', 'owner'],
      describeFeatureViews(VIEWS).map((f) => [f.view, f.feature, f.type, f.ttl, f.owner]),
    );

    const trainEnd = START_MS + (TRAIN_WEEKS - 1) * 7 * DAY_MS;
    const historyEnd = START_MS + TRAIN_WEEKS * 7 * DAY_MS;
    const fit = world.payments.filter((p) => p.timestamp < trainEnd);
    const holdout = world.payments.filter((p) => p.timestamp >= trainEnd && p.timestamp < historyEnd);
    const production = world.payments.filter((p) => p.timestamp >= historyEnd);
    const history = [...fit, ...holdout];
    const historyRows = entityRowsOf(history);
    // The training set is extracted a day after the history ends (and after the backfill ran).
    const extractedAt = historyEnd + DAY_MS;
    const join = joinFor(fault);

    const sets = await out.step('Build training sets: latest-value join and point-in-time join', async () => {
      const t0 = performance.now();
      const naive = await latestValueFeatures(services, historyRows, extractedAt);
      const t1 = performance.now();
      const pit = join.latest ? naive : await pointInTimeFeatures(services, historyRows, join);
      const t2 = performance.now();
      const served = await pointInTimeFeatures(services, entityRowsOf(production), CORRECT);
      return { naive, pit, served, naiveMs: t1 - t0, pitMs: t2 - t1 };
    });
    out.say(
      `${historyRows.length} entity rows: latest-value join ${sets.naiveMs.toFixed(0)} ms, ` +
        `point-in-time join ${sets.pitMs.toFixed(0)} ms (one SQL statement over both views)`,
    );
    out.pointer('packages/feature-store/src/offline.ts', 'the LATERAL point-in-time join and its index');

    const evaluate = (features: typeof sets.naive) => {
      const model = train(fit, features.slice(0, fit.length));
      return {
        offline: auc(model, holdout, features.slice(fit.length)),
        production: auc(model, production, sets.served),
        weights: storeWeights(model),
      };
    };
    const naive = evaluate(sets.naive);
    const pit = evaluate(sets.pit);
    out.table(
      [
        'training set',
        'offline AUC (week 6)',
        'production AUC (weeks 7-8)',
        'gap',
        'weight: disputes_30d',
        'risk_score',
      ],
      [
        ['latest-value join', naive, 'naive'] as const,
        // The same label whichever join ran: a mystery run must not name its fault.
        ['point-in-time join', pit, 'pit'] as const,
      ].map(([name, r]) => [
        name,
        r.offline.toFixed(3),
        r.production.toFixed(3),
        (r.offline - r.production).toFixed(3),
        r.weights.disputes_30d.toFixed(2),
        r.weights.risk_score.toFixed(2),
      ]),
    );

    const step = Math.max(1, Math.floor(history.length / SERVED_SAMPLE));
    const sample = historyRows.map((_, i) => i).filter((i) => i % step === 0);
    const sampleRows = sample.map((i) => historyRows[i]);
    const served = compareSets(
      sample.map((i) => sets.pit[i]),
      servedFeatures(world, sampleRows),
      sampleRows,
    );
    out.say(
      `served vs training on ${served.compared} sampled rows: ${served.rows} differ ` +
        `(${Object.entries(served.byFeature)
          .map(([f, n]) => `${f} ${n}`)
          .join(', ')})`,
    );
    if (served.example) out.say(`  e.g. ${served.example}`);
    const oracle = join.latest
      ? null
      : compareSets(sets.pit, oracleFeatures(world, historyRows, join), historyRows);
    out.pointer(
      'packages/feature-store/src/oracle.ts',
      'the same semantics in memory: the reference the SQL is tested against',
    );

    const checks: Check[] = [
      check(
        CHECK.naiveInflated,
        naive.offline - naive.production > INFLATION,
        `offline ${naive.offline.toFixed(3)} vs production ${naive.production.toFixed(3)} ` +
          `(the point-in-time model: ${pit.production.toFixed(3)} in production)`,
      ),
      check(
        CHECK.pitHonest,
        pit.offline - pit.production <= INFLATION,
        `offline ${pit.offline.toFixed(3)} vs production ${pit.production.toFixed(3)} (allowed gap ${INFLATION})`,
      ),
      check(CHECK.servedMatch, served.rows === 0, `${served.rows} of ${served.compared} sampled rows differ`),
      check(
        CHECK.sqlOracle,
        oracle === null || oracle.rows === 0,
        oracle === null
          ? 'no SQL point-in-time join ran'
          : `${oracle.rows} of ${oracle.compared} rows differ`,
      ),
    ];
    return {
      checks,
      metrics: {
        entityRows: historyRows.length,
        naiveOfflineAuc: naive.offline,
        naiveProductionAuc: naive.production,
        pitOfflineAuc: pit.offline,
        pitProductionAuc: pit.production,
        pitJoinMs: sets.pitMs,
        servedMismatchRows: served.rows,
      },
    };
  },
};

export default lab;
