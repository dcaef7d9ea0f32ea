/**
 * Direct-loss estimation against realized performance: a segment where the served score is
 * over-confident grows in the window, which a score-only calibration (CBPE) cannot see and the loss
 * model can; the nanny takes only the inputs its side's rows can fit; the feature encoding keeps
 * unseen categories and missing values in the reference's terms; bad input is refused.
 */
import { mulberry32 } from '@mlops-lab/datagen';
import type { Schema } from '@mlops-lab/drift';
import { rocAuc } from '@mlops-lab/evaluation';
import { describe, expect, it } from 'vitest';
import { estimatePerformance, fitCbpe } from './cbpe.ts';
import { EPV, estimateDle, fitDle } from './dle.ts';
import { encodeRow, fitRowEncoder } from './dle-features.ts';
import { MonitoringInputError } from './errors.ts';

const SCHEMA: Schema = [
  { name: 'x', type: 'numeric' },
  { name: 'segment', type: 'categorical' },
];

/**
 * Scores in [0, 1]; in segment 'a' the score is the true probability, in segment 'b' the truth is a
 * third of it (the model over-rates b). `shareB` of the rows are in b.
 */
function sample(seed: number, n: number, shareB: number) {
  const rng = mulberry32(seed);
  return Array.from({ length: n }, () => {
    const segment = rng() < shareB ? 'b' : 'a';
    const score = Math.round(rng() ** 2 * 1000) / 1000;
    const truth = segment === 'a' ? score : score / 3;
    return { features: { x: rng() * 10, segment }, score, label: rng() < truth ? 1 : 0 };
  });
}

const realizedAccuracy = (rows: ReturnType<typeof sample>, t = 0.5) =>
  rows.filter((r) => (r.score >= t ? 1 : 0) === r.label).length / rows.length;

describe('direct-loss estimation', () => {
  it('sees a growing over-confident segment that a score-only calibration misses', () => {
    const ref = sample(1, 20_000, 0.5);
    const dle = fitDle(ref, SCHEMA);
    const cbpe = fitCbpe(
      ref.map((r) => r.score),
      ref.map((r) => r.label),
    );
    expect(dle.flagged.kind).toBe('features');
    expect(dle.passed.kind).toBe('features');
    const win = sample(2, 5000, 0.9);
    const scores = win.map((r) => r.score);
    const labels = win.map((r) => r.label);
    const realized = { auc: rocAuc(scores, labels)!, accuracy: realizedAccuracy(win) };
    const d = estimateDle(dle, win);
    const c = estimatePerformance(cbpe, scores);
    expect(Math.abs(d.accuracy - realized.accuracy)).toBeLessThanOrEqual(3 * d.seAccuracy);
    expect(Math.abs(d.auc - realized.auc)).toBeLessThanOrEqual(3 * d.seAuc);
    // CBPE reads the window's scores with the reference's 50/50 mix: outside its band.
    expect(Math.abs(c.accuracy - realized.accuracy)).toBeGreaterThan(3 * c.seAccuracy);
    expect(Math.abs(c.accuracy - realized.accuracy)).toBeGreaterThan(
      2 * Math.abs(d.accuracy - realized.accuracy),
    );
  });

  it('estimates the reference itself and matches realized accuracy without shift', () => {
    const ref = sample(3, 10_000, 0.3);
    const dle = fitDle(ref, SCHEMA);
    expect(Math.abs(dle.reference.accuracy - realizedAccuracy(ref))).toBeLessThan(0.01);
    const win = sample(4, 5000, 0.3);
    const d = estimateDle(dle, win);
    expect(Math.abs(d.accuracy - realizedAccuracy(win))).toBeLessThanOrEqual(3 * d.seAccuracy);
    // NannyML's DLE band: the reference's per-row spread of the loss over √n.
    const e = dle.referenceError.rate;
    expect(d.seAccuracy).toBeCloseTo(Math.sqrt((e * (1 - e)) / win.length), 12);
  });

  it('gives each side of the threshold only the inputs its rows can fit', () => {
    // Few rows above the threshold: the flagged side has too few rare outcomes for every column.
    const ref = sample(5, 800, 0.5).map((r) => ({ ...r, score: r.score * 0.6 }));
    const small = fitDle(ref, SCHEMA);
    const flagged = ref.filter((r) => r.score >= 0.5);
    const errors = flagged.filter((r) => r.label === 0).length;
    const rarer = Math.min(errors, flagged.length - errors);
    expect(rarer).toBeGreaterThanOrEqual(EPV);
    expect(rarer).toBeLessThan(EPV * small.encoder.width);
    expect(small.flagged.kind).toBe('score');
    expect(small.passed.kind).toBe('features');
    // No row above the threshold at all: a constant, smoothed away from 0.
    const none = sample(6, 500, 0.5).map((r) => ({ ...r, score: r.score * 0.4 }));
    const model = fitDle(none, SCHEMA);
    expect(model.flagged).toEqual({ kind: 'constant', rate: 0.5, rows: 0 });
  });

  it('refuses bad input before any work', () => {
    const ref = sample(7, 500, 0.5);
    expect(() => fitDle(ref.slice(0, 50), SCHEMA)).toThrow(/at least 100/);
    expect(() =>
      fitDle(
        ref.map((r) => ({ ...r, label: 0 })),
        SCHEMA,
      ),
    ).toThrow(/both classes/);
    expect(() => fitDle(ref, SCHEMA, 1)).toThrow(MonitoringInputError);
    const model = fitDle(ref, SCHEMA);
    expect(() => estimateDle(model, [])).toThrow(/empty window/);
    expect(() => estimateDle(model, [{ features: { x: 1, segment: 'a' }, score: 2 }])).toThrow(
      /score 0 is 2/,
    );
  });
});

describe('the reference encoding', () => {
  const rows = [
    ...Array.from({ length: 10 }, (_, i) => ({ x: i, segment: 'a' })),
    ...Array.from({ length: 6 }, (_, i) => ({ x: 100 * i, segment: 'b' })),
    { x: 1, segment: 'rare' },
  ];
  const enc = fitRowEncoder(rows, SCHEMA);

  it('one-hot over reference categories seen often enough, most frequent first', () => {
    expect(enc.categories.segment).toEqual(['a', 'b']);
    expect(enc.width).toBe(3);
  });

  it('an unseen or rare category is the reference "other"; a missing number is the reference mean', () => {
    const unseen = encodeRow(enc, { x: 1, segment: 'crypto' });
    const rare = encodeRow(enc, { x: 1, segment: 'rare' });
    const missing = encodeRow(enc, { x: null, segment: 'a' });
    expect(Array.from(unseen.subarray(1))).toEqual(Array.from(rare.subarray(1)));
    expect(missing[0]).toBe(0);
    expect(() => encodeRow(enc, { x: 1, segment: 'a' }, [1])).toThrow(/extra columns/);
  });
});
