/**
 * DeLong's test against numpy + scipy (golden/delong.json: the pairwise O(n1 n0) structural
 * components, norm.sf), 1e-9 relative, and the input it refuses: only exact 0/1 labels, both classes
 * at least twice, equal lengths.
 */
import { mulberry32 } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { delongTest } from './delong.ts';
import { simulatePairedScores } from './simulate.ts';
import { delongGolden, rel } from './testing/golden.ts';
import { thrown } from './testing/thrown.ts';

describe('delongTest matches numpy/scipy (pairwise structural components, norm.sf)', () => {
  it.each(delongGolden().cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = delongTest(c.input, c.margin);
    const e = c.expected;
    for (const k of ['champion', 'challenger', 'delta', 'se', 'z', 'p'] as const) {
      const ours = k === 'p' ? r.pOneSided : r[k];
      expect(rel(ours, e[k]), `${k}: ours ${ours} scipy ${e[k]}`).toBeLessThan(1e-9);
    }
    expect([r.positives, r.negatives]).toEqual([e.positives, e.negatives]);
  });
});

describe('delongTest', () => {
  const s = simulatePairedScores(mulberry32(1), {
    n: 300,
    prevalence: 0.2,
    signal: 1,
    challengerSignal: 1,
    sharedNoise: 0.5,
  });

  it('identical models: delta 0, se 0, p 1 (nothing to promote)', () => {
    const r = delongTest({ champion: s.champion, challenger: s.champion, labels: s.labels });
    expect([r.delta, r.se, r.pOneSided]).toEqual([0, 0, 1]);
  });

  it('the margin is the null boundary: p rises with it', () => {
    const at0 = delongTest(s, 0).pOneSided;
    const atDelta = delongTest(s, delongTest(s).delta);
    expect(atDelta.pOneSided).toBeCloseTo(0.5, 12);
    expect(delongTest(s, 0.05).pOneSided).toBeGreaterThan(at0);
  });
});

describe('delongTest refuses what it cannot test', () => {
  const champion = [0.1, 0.4, 0.35, 0.8, 0.2, 0.7];
  const challenger = [0.2, 0.3, 0.5, 0.9, 0.1, 0.6];

  it('a label 2 is refused, not counted as a negative', () => {
    const e = thrown(() => delongTest({ champion, challenger, labels: [0, 0, 1, 1, 2, 1] }));
    expect([e.code, e.index]).toEqual(['label', 4]);
    expect(e.message).toBe('delongTest: label 4 is 2; labels must be 0 or 1');
  });

  it('labels -1, 0.5 and NaN are refused too', () => {
    for (const bad of [-1, 0.5, Number.NaN]) {
      expect(thrown(() => delongTest({ champion, challenger, labels: [0, 0, 1, 1, bad, 1] })).code).toBe(
        'label',
      );
    }
  });

  it('unequal lengths', () => {
    const e = thrown(() =>
      delongTest({ champion, challenger: challenger.slice(1), labels: [0, 0, 1, 1, 0, 1] }),
    );
    expect(e.code).toBe('length');
    expect(e.message).toMatch(/6 champion scores, 5 challenger scores, 6 labels; all must be equal/);
  });

  it('a missing class, or a single positive (its variance is undefined)', () => {
    const none = thrown(() => delongTest({ champion, challenger, labels: [0, 0, 0, 0, 0, 0] }));
    expect([none.code, none.message]).toEqual([
      'class',
      'delongTest: 0 positives and 6 negatives; needs at least 2 of each class',
    ]);
    expect(thrown(() => delongTest({ champion, challenger, labels: [0, 0, 1, 0, 0, 0] })).code).toBe('class');
  });

  it('a non-finite score or margin', () => {
    const bad = [...challenger];
    bad[3] = Number.NaN;
    const e = thrown(() => delongTest({ champion, challenger: bad, labels: [0, 0, 1, 1, 0, 1] }));
    expect([e.code, e.index, e.message]).toEqual([
      'score',
      3,
      'delongTest: challenger score 3 is NaN; scores must be finite',
    ]);
    expect(
      thrown(() => delongTest({ champion, challenger, labels: [0, 0, 1, 1, 0, 1] }, Number.NaN)).code,
    ).toBe('argument');
  });
});
