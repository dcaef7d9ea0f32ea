/**
 * The code gate and the transform it guards: golden values (independent Python reference), the
 * recorded training-set hash, determinism (twice the same input, twice the same bytes; an unseeded
 * spec differs), and unit tests of the split, drops and extra columns.
 */
import { generatePayments } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { codeGate, GOLDEN_SAMPLE, trainingSetHash } from './code-gate.ts';
import { buildTrainingSet } from './training-set.ts';

const sample = generatePayments(GOLDEN_SAMPLE);

describe('codeGate', () => {
  it('passes the reference transform with a seeded spec', () => {
    const r = codeGate(sample, { shuffleSeed: 3 });
    expect(r.reasons).toEqual([]);
    expect(r.findings.map((f) => f.expectation)).toEqual([
      'golden',
      'golden',
      'determinism',
      'invariance',
      'directional',
      'minimum functionality',
    ]);
  });

  it('fails determinism, and only that, for an unseeded shuffle', () => {
    const r = codeGate(sample, { shuffleSeed: null });
    expect(r.passed).toBe(false);
    expect(r.reasons).toEqual([
      expect.stringMatching(/^determinism buildTrainingSet: two builds on the same 400 rows differ/),
    ]);
  });
});

describe('buildTrainingSet', () => {
  it('is deterministic: same input and seed, same bytes; another seed, another order of the same rows', () => {
    const a = buildTrainingSet(sample, { shuffleSeed: 1 });
    expect(trainingSetHash(buildTrainingSet(sample, { shuffleSeed: 1 }))).toBe(trainingSetHash(a));
    const b = buildTrainingSet(sample, { shuffleSeed: 2 });
    expect(trainingSetHash(b)).not.toBe(trainingSetHash(a));
    const key = (m: number[][]) => m.map((r) => r.join(',')).sort();
    expect(key(b.xTrain)).toEqual(key(a.xTrain));
  });

  it('holds out the latest quarter and fits the encoder on the rest only', () => {
    const s = buildTrainingSet(sample, { shuffleSeed: 1 });
    expect([s.trainRows, s.holdoutRows]).toEqual([300, 100]);
    expect(s.holdoutLabels).toEqual(sample.slice(300).map((e) => e.label));
    const trainAmounts = sample
      .slice(0, 300)
      .flatMap((e) => (e.amount === null ? [] : [Math.log(Math.max(e.amount, 0.01))]));
    const mean = trainAmounts.reduce((a, b) => a + b, 0) / trainAmounts.length;
    expect(s.stats.numeric.amount.mean).toBeCloseTo(mean, 12);
  });

  it('drops encoder columns and appends standardized extra columns (missing -> 0)', () => {
    const rows = sample.map((e, i) => ({ ...e, score: i % 4 === 0 ? null : i }));
    const s = buildTrainingSet(rows, { shuffleSeed: 1, drop: ['log_distanceKm'], extraFeatures: ['score'] });
    expect(s.features).not.toContain('log_distanceKm');
    expect(s.features.at(-1)).toBe('score');
    const scores = rows.slice(0, 300).flatMap((r) => (r.score === null ? [] : [r.score]));
    expect(s.extras[0].mean).toBeCloseTo(scores.reduce((a, b) => a + b, 0) / scores.length, 9);
    const missing = buildTrainingSet(rows, { shuffleSeed: 1, extraFeatures: ['score'] }).xHoldout;
    expect(missing.filter((_, i) => rows[300 + i].score === null).every((r) => r.at(-1) === 0)).toBe(true);
  });

  it('refuses unknown drops, missing extra columns and too few rows before any work', () => {
    expect(() => buildTrainingSet(sample, { shuffleSeed: 1, drop: ['nope'] })).toThrow(/cannot drop nope/);
    expect(() => buildTrainingSet(sample, { shuffleSeed: 1, extraFeatures: ['nope'] })).toThrow(
      /not in the rows/,
    );
    expect(() => buildTrainingSet(sample.slice(0, 3), { shuffleSeed: 1 })).toThrow(/at least 8 rows/);
  });
});
