/**
 * The paired bootstrap: replicates against mannwhitneyu on the explicitly resampled arrays
 * (golden/delong.json), determinism, the interval against DeLong's standard error, and large n.
 */
import { mulberry32 } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { bootstrapAucDeltas, pairedBootstrapAucDelta } from './bootstrap.ts';
import { delongTest } from './delong.ts';
import { EvaluationInputError } from './errors.ts';
import { simulatePairedScores } from './simulate.ts';
import { delongGolden } from './testing/golden.ts';

/** Two models of separation sa, sb (noise correlation 0.5). */
const sample = (seed: number, n: number, sa: number, sb: number) =>
  simulatePairedScores(mulberry32(seed), {
    n,
    prevalence: 0.2,
    signal: sa,
    challengerSignal: sb,
    sharedNoise: 0.5,
  });

describe('paired bootstrap', () => {
  it('replicates equal mannwhitneyu AUCs of the explicitly resampled arrays', () => {
    const golden = delongGolden();
    const { case: i, seed, deltas } = golden.bootstrap;
    const ours = bootstrapAucDeltas(golden.cases[i].input, deltas.length, seed);
    expect(ours.length).toBe(deltas.length);
    deltas.forEach((d, k) => {
      expect(Math.abs(ours[k] - d)).toBeLessThan(1e-12);
    });
  });

  it('is deterministic per seed, brackets the point delta and agrees with the DeLong standard error', () => {
    const s = sample(2, 5000, 1, 1.1);
    const a = pairedBootstrapAucDelta(s, 1000, 5);
    expect(pairedBootstrapAucDelta(s, 1000, 5)).toEqual(a);
    expect(pairedBootstrapAucDelta(s, 1000, 6)).not.toEqual(a);
    expect(a.ci[0]).toBeLessThan(a.delta);
    expect(a.ci[1]).toBeGreaterThan(a.delta);
    const d = delongTest(s);
    expect(Math.abs(a.delta - d.delta)).toBeLessThan(1e-12);
    // A 90% percentile interval is about 2 * 1.645 bootstrap standard deviations wide.
    const sdFromCi = (a.ci[1] - a.ci[0]) / (2 * 1.6448536269514722);
    expect(sdFromCi / d.se).toBeGreaterThan(0.85);
    expect(sdFromCi / d.se).toBeLessThan(1.15);
  });

  it('handles n = 20,000 with 2,000 resamples: an interval around the true gain', () => {
    const s = sample(3, 20_000, 1, 1.05);
    const r = pairedBootstrapAucDelta(s, 2000, 1);
    expect(r.resamples).toBe(2000);
    expect(r.ci[0]).toBeLessThan(r.delta);
    expect(r.ci[1]).toBeGreaterThan(r.delta);
  });

  it('a resample without one of the classes is NaN and left out of the interval', () => {
    // One positive in 4 requests: a resample misses it with probability (3/4)^4 ~ 0.32.
    const s = { champion: [0.1, 0.2, 0.3, 0.9], challenger: [0.2, 0.1, 0.4, 0.8], labels: [0, 0, 0, 1] };
    const deltas = bootstrapAucDeltas(s, 200, 3);
    const nan = deltas.filter(Number.isNaN).length;
    expect(nan).toBeGreaterThan(0);
    expect(pairedBootstrapAucDelta(s, 200, 3).resamples).toBe(200 - nan);
  });

  it('refuses bad labels, a missing class, no resamples and alpha outside (0, 0.5)', () => {
    const s = sample(4, 50, 1, 1);
    const labels = Array.from(s.labels);
    labels[7] = 2;
    expect(() => bootstrapAucDeltas({ ...s, labels }, 10)).toThrow(EvaluationInputError);
    expect(() => bootstrapAucDeltas({ ...s, labels: new Uint8Array(50) }, 10)).toThrow(/0 positives/);
    expect(() => bootstrapAucDeltas(s, 0)).toThrow(/resamples 0/);
    expect(() => pairedBootstrapAucDelta(s, 10, 1, 0.5)).toThrow(/alpha 0.5/);
  });
});
