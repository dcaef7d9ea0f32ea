/**
 * ROC AUC against scipy.stats.mannwhitneyu (golden/auc.json, and the AUCs of golden/delong.json),
 * hand-computed cases, and the input it refuses.
 */
import { describe, expect, it } from 'vitest';
import { midranks, rocAuc } from './auc.ts';
import { delongGolden, readGolden, rel } from './testing/golden.ts';
import { thrown } from './testing/thrown.ts';

const golden = readGolden<{ cases: { scores: number[]; labels: number[]; auc: number }[] }>('auc.json');

describe('rocAuc matches scipy mannwhitneyu U / (n1 n0)', () => {
  it.each(golden.cases.map((c, i) => [i, c] as const))('auc.json case %i', (_, c) => {
    expect(rel(rocAuc(c.scores, c.labels)!, c.auc)).toBeLessThan(1e-12);
  });

  it.each(delongGolden().cases.map((c) => [c.name, c] as const))('delong.json: %s', (_, c) => {
    expect(rel(rocAuc(c.input.champion, c.input.labels)!, c.expected.champion)).toBeLessThan(1e-12);
    expect(rel(rocAuc(c.input.challenger, c.input.labels)!, c.expected.challenger)).toBeLessThan(1e-12);
  });
});

describe('rocAuc by hand', () => {
  it('midranks average tied ranks', () => {
    expect(Array.from(midranks([3, 1, 3, 2, 3]))).toEqual([4, 1, 4, 2, 4]);
  });

  it('is 1, 0 and 1/2 for perfect, reversed and constant scores; a tied pair counts 1/2', () => {
    const labels = [0, 0, 1, 1];
    expect(rocAuc([1, 2, 3, 4], labels)).toBe(1);
    expect(rocAuc([4, 3, 2, 1], labels)).toBe(0);
    expect(rocAuc([5, 5, 5, 5], labels)).toBe(0.5);
    expect(rocAuc([1, 2, 2, 4], labels)).toBe(0.875);
    expect(rocAuc([0.1, 0.4, 0.35, 0.8], labels)).toBe(0.75); // sklearn's roc_auc_score example
  });

  it('is null, never NaN, when a class is missing (also for no rows)', () => {
    expect(rocAuc([0.1, 0.2], [1, 1])).toBeNull();
    expect(rocAuc([0.1, 0.2], [0, 0])).toBeNull();
    expect(rocAuc([], [])).toBeNull();
  });
});

describe('rocAuc refuses input it cannot rank honestly', () => {
  const refused = (scores: number[], labels: number[]) => thrown(() => rocAuc(scores, labels));

  it('a label other than exactly 0 or 1, naming the entry', () => {
    for (const bad of [2, -1, 0.5, Number.NaN]) {
      const e = refused([0.1, 0.2, 0.3], [0, 1, bad]);
      expect([e.code, e.index]).toEqual(['label', 2]);
      expect(e.message).toBe(`rocAuc: label 2 is ${bad}; labels must be 0 or 1`);
    }
  });

  it('unequal lengths and non-finite scores', () => {
    expect(refused([0.1, 0.2], [0, 1, 1]).code).toBe('length');
    const e = refused([0.1, Number.NaN, 0.3], [0, 1, 1]);
    expect([e.code, e.index, e.message]).toEqual([
      'score',
      1,
      'rocAuc: score 1 is NaN; scores must be finite',
    ]);
    expect(refused([0.1, Number.POSITIVE_INFINITY], [0, 1]).code).toBe('score');
  });
});
