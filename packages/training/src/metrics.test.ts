/** Accuracy and log loss against hand-computed values; rocAuc is evaluation's (golden-tested there). */
import * as evaluation from '@mlops-lab/evaluation';
import { describe, expect, it } from 'vitest';
import { accuracy, logLoss, rocAuc } from './metrics.ts';

describe('rocAuc', () => {
  it("is the evaluation package's function, not a copy", () => {
    expect(rocAuc).toBe(evaluation.rocAuc);
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], [0, 0, 1, 1])).toBe(0.75);
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
