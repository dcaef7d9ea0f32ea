/**
 * distance.ts by hand, and what only ExactRetriever has (Q21); the behaviour it shares with the other
 * retrievers is in the contract suite (src/contract.test.ts). Here: the flat store growing past its
 * first block of 64 rows, a removal filling its hole with the last row, and ties in insertion order
 * (the ground truth of every recall test must not depend on heap order).
 */
import { describe, expect, it } from 'vitest';
import { cosineDistance, negativeInnerProduct, squaredL2 } from './distance.ts';
import { ExactRetriever } from './exact.ts';

describe('distance.ts', () => {
  it('computes the three distances by hand', () => {
    expect(squaredL2([1, 2], [4, 6])).toBe(25);
    expect(negativeInnerProduct([1, 2], [3, 4])).toBe(-11);
    expect(cosineDistance([1, 0], [0, 5])).toBeCloseTo(1, 12);
    expect(cosineDistance([1, 1], [2, 2])).toBeCloseTo(0, 12);
    expect(cosineDistance([1, 0], [-3, 0])).toBeCloseTo(2, 12);
  });
});

describe('ExactRetriever', () => {
  it('grows past its first block of rows, and a removal moves the last row into the hole', () => {
    const r = new ExactRetriever({ dim: 2, space: 'l2' });
    for (let i = 0; i < 200; i++) r.add(`g${i}`, [i, -i], { i });
    expect(r.size()).toBe(200);
    expect(r.search([150, -150], 1)).toEqual([{ id: 'g150', distance: 0 }]);
    r.remove('g3'); // g199 now sits in row 3
    expect(r.size()).toBe(199);
    expect(r.search([199, -199], 1)).toEqual([{ id: 'g199', distance: 0 }]);
    expect(r.metadata('g199')).toEqual({ i: 199 });
    expect(r.search([3, -3], 2)).toEqual([
      { id: 'g2', distance: 2 },
      { id: 'g4', distance: 2 },
    ]);
  });

  it('breaks ties in insertion order, at every k', () => {
    const r = new ExactRetriever({ dim: 2, space: 'l2' });
    // four points at the same distance 1 from the origin: the order is the order they were added
    const ring: [string, number[]][] = [
      ['e', [1, 0]],
      ['n', [0, 1]],
      ['w', [-1, 0]],
      ['s', [0, -1]],
    ];
    for (const [id, v] of ring) r.add(id, v);
    expect(r.search([0, 0], 4).map((h) => h.id)).toEqual(['e', 'n', 'w', 's']);
    expect(r.search([0, 0], 2).map((h) => h.id)).toEqual(['e', 'n']);
  });
});
