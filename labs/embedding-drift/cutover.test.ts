/**
 * The embedding-drift lab's cut-over rule (Q25) on hand-made golden sets: each branch of the rule,
 * the paired counts, and the refusal of two models scored on different queries.
 */
import { describe, expect, it } from 'vitest';
import { type CutoverRule, decideCutover } from './cutover.ts';

// 10 queries; the old model finds the answer for all of them.
const ids = Array.from({ length: 10 }, (_, i) => `q${i}`);
const all = (value: number) => Object.fromEntries(ids.map((q) => [q, value]));
const losing = (n: number) => ({ ...all(1), ...Object.fromEntries(ids.slice(0, n).map((q) => [q, 0])) });
const rule: CutoverRule = { maxDrop: 0.1, oldRetired: null, floor: 0.75 };

describe('decideCutover', () => {
  it('cuts over on quality when the new model loses at most maxDrop (one of 10: drop 0.1)', () => {
    const d = decideCutover(all(1), losing(1), rule);
    expect(d).toMatchObject({ cutover: true, basis: 'quality', lost: 1, gained: 0, queries: 10 });
    expect(d.drop).toBeCloseTo(0.1, 12);
  });

  it('counts losses and gains per query: two lost and two gained is no drop', () => {
    const old = { ...all(1), q8: 0, q9: 0 };
    const next = { ...all(1), q0: 0, q1: 0 };
    expect(decideCutover(old, next, rule)).toMatchObject({ basis: 'quality', drop: 0, lost: 2, gained: 2 });
  });

  it('refuses a larger loss while the old model may stay', () => {
    expect(decideCutover(all(1), losing(2), rule)).toMatchObject({
      cutover: false,
      basis: 'refused',
      lost: 2,
    });
  });

  it('accepts a larger loss when the old model is retired and the new one meets the floor', () => {
    const retired = { ...rule, oldRetired: 'end of life' };
    expect(decideCutover(all(1), losing(2), retired)).toMatchObject({ cutover: true, basis: 'retired' });
    // Below the floor (0.7 < 0.75), retirement does not make the new model acceptable.
    expect(decideCutover(all(1), losing(3), retired)).toMatchObject({ cutover: false, basis: 'refused' });
  });

  it('refuses models scored on different or empty sets of queries', () => {
    expect(() => decideCutover(all(1), { q0: 1 }, rule)).toThrow(/same, non-empty set/);
    expect(() => decideCutover({}, {}, rule)).toThrow(/same, non-empty set/);
  });
});
