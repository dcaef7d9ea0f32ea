/**
 * CBPE against its definition and against realized performance: the expected AUC equals the
 * weighted-pair formula computed by brute force; on windows whose labels follow the calibrated score,
 * the ±3 SE band covers the realized AUC and accuracy; a miscalibrated model is calibrated first (and
 * only then estimates well); under concept drift the estimate misses the fall, as the method says.
 */
import { rocAuc } from '@mlops-lab/evaluation';
import { describe, expect, it } from 'vitest';
import { estimatePerformance, fitCbpe } from './cbpe.ts';
import { MonitoringInputError } from './errors.ts';
import { scoredSample } from './fixtures/binary.ts';
import { fitIsotonic, predictIsotonic } from './isotonic.ts';

const realizedAccuracy = (s: ArrayLike<number>, y: ArrayLike<number>, t = 0.5) => {
  let ok = 0;
  for (let i = 0; i < s.length; i++) ok += (s[i] >= t ? 1 : 0) === y[i] ? 1 : 0;
  return ok / s.length;
};

describe('isotonic regression', () => {
  it('pools adjacent violators (the textbook example) and interpolates between block ends', () => {
    const fit = fitIsotonic([1, 2, 3, 4, 5, 6], [1, 3, 2, 4, 3, 5]);
    expect([1, 2, 3, 4, 5, 6].map((x) => predictIsotonic(fit, x))).toEqual([1, 2.5, 2.5, 3.5, 3.5, 5]);
    expect(predictIsotonic(fit, 1.5)).toBeCloseTo(1.75, 12);
    expect(predictIsotonic(fit, -10)).toBe(1);
    expect(predictIsotonic(fit, 10)).toBe(5);
  });
  it('pools equal x values before fitting', () => {
    const fit = fitIsotonic([1, 1, 2], [0, 1, 1]);
    expect(predictIsotonic(fit, 1)).toBe(0.5);
  });
});

describe('CBPE', () => {
  it('expected AUC equals the brute-force weighted-pair AUC (ties count half)', () => {
    const { scores, labels } = scoredSample(7, 300);
    const model = fitCbpe(scores, labels);
    const p = Array.from(scores, (s) => (model.calibration ? predictIsotonic(model.calibration, s) : s));
    let num = 0;
    let den = 0;
    for (let i = 0; i < p.length; i++)
      for (let j = 0; j < p.length; j++) {
        const w = p[i] * (1 - p[j]); // i as a positive, j as a negative
        den += w;
        num += w * (scores[i] > scores[j] ? 1 : scores[i] === scores[j] ? 0.5 : 0);
      }
    expect(estimatePerformance(model, scores).auc).toBeCloseTo(num / den, 12);
  });

  it('the ±3 SE band covers realized AUC and accuracy on calibrated windows', () => {
    const ref = scoredSample(1, 20_000);
    const model = fitCbpe(ref.scores, ref.labels);
    let coveredAuc = 0;
    let coveredAcc = 0;
    let absError = 0;
    const windows = 60;
    for (let w = 0; w < windows; w++) {
      const win = scoredSample(100 + w, 3000);
      const est = estimatePerformance(model, win.scores);
      const auc = rocAuc(win.scores, win.labels)!;
      absError += Math.abs(est.auc - auc) / windows;
      if (Math.abs(est.auc - auc) <= 3 * est.seAuc) coveredAuc++;
      if (Math.abs(est.accuracy - realizedAccuracy(win.scores, win.labels)) <= 3 * est.seAccuracy)
        coveredAcc++;
    }
    expect(absError).toBeLessThan(0.02);
    expect(coveredAuc / windows).toBeGreaterThanOrEqual(0.95);
    expect(coveredAcc / windows).toBeGreaterThanOrEqual(0.95);
  });

  it('calibrates a miscalibrated model on the reference, and only then estimates well', () => {
    // The served score is the square root of the true probability: ranking fine, values too high.
    const truth = (s: number) => s * s;
    const ref = scoredSample(2, 20_000, truth);
    const model = fitCbpe(ref.scores, ref.labels);
    expect(model.calibration).not.toBeNull();
    expect(model.brier.calibrated).toBeLessThan(model.brier.raw);
    const win = scoredSample(3, 5000, truth);
    const est = estimatePerformance(model, win.scores);
    expect(Math.abs(est.auc - rocAuc(win.scores, win.labels)!)).toBeLessThan(3 * est.seAuc);
    // Without calibration the same scores overstate accuracy badly.
    const calibratedSample = scoredSample(4, 20_000);
    const rawModel = fitCbpe(calibratedSample.scores, calibratedSample.labels);
    const rawEst = estimatePerformance({ ...rawModel, calibration: null }, win.scores);
    expect(Math.abs(rawEst.accuracy - realizedAccuracy(win.scores, win.labels))).toBeGreaterThan(
      3 * rawEst.seAccuracy,
    );
  });

  it('misses concept drift: labels stop following the score, the estimate does not move', () => {
    const ref = scoredSample(5, 20_000);
    const model = fitCbpe(ref.scores, ref.labels);
    const drifted = scoredSample(6, 5000, () => 0.1); // the score no longer means anything
    const est = estimatePerformance(model, drifted.scores);
    const realized = rocAuc(drifted.scores, drifted.labels)!;
    expect(est.auc - realized).toBeGreaterThan(0.2);
    expect(Math.abs(est.auc - model.reference.auc)).toBeLessThan(0.03);
  });

  it('refuses bad input before any work', () => {
    const { scores, labels } = scoredSample(8, 500);
    expect(() => fitCbpe(scores.slice(0, 50), labels.slice(0, 50))).toThrow(/at least 100/);
    expect(() => fitCbpe(scores, labels.slice(1))).toThrow(MonitoringInputError);
    expect(() => fitCbpe(scores, new Uint8Array(500))).toThrow(/both classes/);
    const model = fitCbpe(scores, labels);
    expect(() => estimatePerformance(model, [0.2, 1.5])).toThrow(/score 1 is 1.5/);
    expect(() => estimatePerformance(model, [])).toThrow(/empty window/);
  });
});
