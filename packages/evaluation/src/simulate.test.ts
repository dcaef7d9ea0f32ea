/**
 * The binormal simulation: deterministic per seed, each model's AUC near its true value
 * Phi(signal / sqrt 2), and the shared noise making the two models' scores correlated.
 */
import { mulberry32 } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { rocAuc } from './auc.ts';
import { normalSf } from './normal.ts';
import { simulatePairedScores } from './simulate.ts';

const options = { n: 20_000, prevalence: 0.3, signal: 1, challengerSignal: 1.5, sharedNoise: 0.6 };

function correlation(u: Float64Array, v: Float64Array): number {
  const mean = (x: Float64Array) => x.reduce((a, b) => a + b, 0) / x.length;
  const mu = mean(u);
  const mv = mean(v);
  let suv = 0;
  let suu = 0;
  let svv = 0;
  for (let i = 0; i < u.length; i++) {
    suv += (u[i] - mu) * (v[i] - mv);
    suu += (u[i] - mu) ** 2;
    svv += (v[i] - mv) ** 2;
  }
  return suv / Math.sqrt(suu * svv);
}

describe('simulatePairedScores', () => {
  const s = simulatePairedScores(mulberry32(9), options);

  it('is deterministic per seed', () => {
    expect(simulatePairedScores(mulberry32(9), { ...options, n: 50 }).champion).toEqual(
      s.champion.slice(0, 50),
    );
    expect(simulatePairedScores(mulberry32(10), { ...options, n: 50 }).champion).not.toEqual(
      s.champion.slice(0, 50),
    );
  });

  it('each model ranks with AUC Phi(signal / sqrt 2), within 4 standard errors (~0.005 at this n)', () => {
    const trueAuc = (signal: number) => 1 - normalSf(signal / Math.SQRT2);
    expect(Math.abs(rocAuc(s.champion, s.labels)! - trueAuc(1))).toBeLessThan(0.02);
    expect(Math.abs(rocAuc(s.challenger, s.labels)! - trueAuc(1.5))).toBeLessThan(0.02);
    const prevalence = s.labels.reduce((a, b) => a + b, 0) / s.labels.length;
    expect(Math.abs(prevalence - 0.3)).toBeLessThan(0.02);
  });

  it('shares noise: within a class the two models correlate at about sharedNoise', () => {
    const negatives = (x: Float64Array) => x.filter((_, i) => s.labels[i] === 0);
    const r = correlation(negatives(s.champion), negatives(s.challenger));
    expect(Math.abs(r - 0.6)).toBeLessThan(0.03);
  });

  it('refuses a prevalence outside (0, 1)', () => {
    expect(() => simulatePairedScores(mulberry32(1), { ...options, prevalence: 0 })).toThrow(/prevalence 0/);
  });
});
