/** Metrics against scipy-derived golden AUCs and hand-computed values. */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { accuracy, logLoss, rocAuc } from './metrics.ts';

const golden = JSON.parse(readFileSync(new URL('../golden/auc.json', import.meta.url), 'utf8')) as {
  cases: { scores: number[]; labels: number[]; auc: number }[];
};

describe('rocAuc', () => {
  it.each(golden.cases.map((c, i) => [i, c] as const))(
    'matches scipy mannwhitneyu U/(n1 n0), case %i',
    (_, c) => {
      expect(rocAuc(c.scores, c.labels)).toBeCloseTo(c.auc, 12);
    },
  );

  it('hand-computed: perfect, reversed, all tied, one class', () => {
    expect(rocAuc([0.1, 0.2, 0.8, 0.9], [0, 0, 1, 1])).toBe(1);
    expect(rocAuc([0.9, 0.8, 0.2, 0.1], [0, 0, 1, 1])).toBe(0);
    expect(rocAuc([0.5, 0.5, 0.5], [0, 1, 1])).toBe(0.5);
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNull();
  });
});

describe('accuracy and logLoss', () => {
  it('accuracy counts score >= threshold as positive', () => {
    expect(accuracy([0.2, 0.5, 0.7, 0.4], [0, 1, 0, 0])).toBe(0.75);
    expect(accuracy([], [])).toBe(0);
  });

  it('logLoss: hand-computed and clipped', () => {
    expect(logLoss([0.8, 0.3], [1, 0])).toBeCloseTo(-(Math.log(0.8) + Math.log(0.7)) / 2, 12);
    expect(Number.isFinite(logLoss([0, 1], [1, 0]))).toBe(true);
  });
});
