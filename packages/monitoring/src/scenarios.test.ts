/**
 * The scenario x estimator table on the payments world: without shift and under covariate shift the
 * label-free estimators track realized performance; in the unseen region they still beat the constant
 * by far; under concept drift every one of them misses and none covers; window metrics come from
 * summed confusion matrices, which a mean of per-chunk metrics does not reproduce.
 */
import { describe, expect, it } from 'vitest';
import {
  accuracyOf,
  confusionOf,
  ESTIMATORS,
  runScenarios,
  SCENARIOS,
  type ScenarioName,
  sumConfusion,
} from './scenarios.ts';

describe('scenarios', () => {
  const table = runScenarios({ seed: 1, windows: 6, windowSize: 2000 });
  const row = (scenario: ScenarioName, estimator: (typeof ESTIMATORS)[number]) =>
    table.rows.find((r) => r.scenario === scenario && r.estimator === estimator)!;

  it('has every scenario x estimator, each measured over every window', () => {
    expect(table.rows).toHaveLength(SCENARIOS.length * ESTIMATORS.length);
    expect(table.windows).toHaveLength(SCENARIOS.length * 6);
    for (const r of table.rows) {
      expect(r.auc.coverage).toBeGreaterThanOrEqual(0);
      expect(r.auc.coverage).toBeLessThanOrEqual(1);
    }
  });

  it('no shift and covariate shift: CBPE and DLE track realized AUC and accuracy', () => {
    for (const scenario of ['no shift', 'covariate shift'] as const)
      for (const estimator of ['CBPE', 'DLE'] as const) {
        const r = row(scenario, estimator);
        expect(r.auc.mae, `${scenario} ${estimator}`).toBeLessThan(0.03);
        expect(r.accuracy.mae, `${scenario} ${estimator}`).toBeLessThan(0.015);
        expect(r.auc.coverage, `${scenario} ${estimator}`).toBeGreaterThanOrEqual(5 / 6);
      }
    // The season moves accuracy; the constant does not follow, the estimators do.
    expect(row('covariate shift', 'reference').accuracy.coverage).toBeLessThan(0.5);
    expect(row('covariate shift', 'CBPE').accuracy.mae).toBeLessThan(
      row('covariate shift', 'reference').accuracy.mae / 2,
    );
  });

  it('unseen region: performance falls; the estimators follow most of the fall, the constant none', () => {
    const fall =
      table.reference.auc - table.windows.find((w) => w.scenario === 'unseen region')!.realized.auc;
    expect(fall).toBeGreaterThan(0.1);
    for (const estimator of ['CBPE', 'DLE'] as const)
      expect(row('unseen region', estimator).auc.mae).toBeLessThan(
        row('unseen region', 'reference').auc.mae / 3,
      );
    expect(row('unseen region', 'reference').auc.coverage).toBe(0);
  });

  it('concept drift: every estimator misses the fall and no band covers it', () => {
    for (const estimator of ESTIMATORS) {
      const r = row('concept drift', estimator);
      expect(r.auc.mae, estimator).toBeGreaterThan(0.3);
      expect(r.auc.coverage, estimator).toBe(0);
    }
  });

  it('is deterministic in the seed', () => {
    const a = runScenarios({ seed: 3, windows: 1, windowSize: 500, referenceSize: 1000 });
    const b = runScenarios({ seed: 3, windows: 1, windowSize: 500, referenceSize: 1000 });
    expect(a).toEqual(b);
  });

  it('refuses bad sizes before any work', () => {
    expect(() => runScenarios({ windows: 0 })).toThrow(/windows must be a positive integer/);
    expect(() => runScenarios({ windowSize: 100 })).toThrow(/windowSize >= 200/);
  });
});

describe('window metrics from summed confusion matrices', () => {
  it('equal the pooled window, unlike the mean of per-chunk accuracies', () => {
    // A busy day and a quiet one: 900 rows at 90% right, 100 rows at 50% right.
    const day = (n: number, right: number) => ({
      scores: Array.from({ length: n }, (_, i) => (i < right ? 0.9 : 0.1)),
      labels: Array.from({ length: n }, () => 1),
    });
    const days = [day(900, 810), day(100, 50)];
    const matrices = days.map((d) => confusionOf(d.scores, d.labels, 0.5));
    const pooled = confusionOf(
      days.flatMap((d) => d.scores),
      days.flatMap((d) => d.labels),
      0.5,
    );
    expect(sumConfusion(matrices)).toEqual(pooled);
    expect(accuracyOf(sumConfusion(matrices))).toBeCloseTo(0.86, 12);
    const meanOfDays = matrices.reduce((s, m) => s + accuracyOf(m), 0) / matrices.length;
    expect(meanOfDays).toBeCloseTo(0.7, 12);
  });
});
