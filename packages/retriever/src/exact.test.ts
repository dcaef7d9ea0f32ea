/** ExactRetriever and distance.ts against hand-computed answers on tiny cases (Q21). */
import { describe, expect, it } from 'vitest';
import { cosineDistance, negativeInnerProduct, squaredL2 } from './distance.ts';
import { RetrieverError } from './errors.ts';
import { ExactRetriever } from './exact.ts';
import type { Retriever } from './types.ts';

const points: [string, number[]][] = [
  ['a', [1, 0]],
  ['b', [0, 2]],
  ['c', [3, 3]],
  ['d', [-1, 0]],
];

function build(space: 'cosine' | 'l2' | 'ip'): ExactRetriever {
  const r = new ExactRetriever({ dim: 2, space });
  for (const [id, v] of points) r.add(id, v, { even: id === 'b' || id === 'd' });
  return r;
}

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
  it('l2: squared distances, nearest first', () => {
    // query (1, 1): a -> 0+1 = 1, b -> 1+1 = 2, c -> 4+4 = 8, d -> 4+1 = 5
    expect(build('l2').search([1, 1], 4)).toEqual([
      { id: 'a', distance: 1 },
      { id: 'b', distance: 2 },
      { id: 'd', distance: 5 },
      { id: 'c', distance: 8 },
    ]);
  });

  it('ip: negative inner product, largest dot first', () => {
    // query (1, 1): a -> -1, b -> -2, c -> -6, d -> 1
    const hits = build('ip').search([1, 1], 3);
    expect(hits).toEqual([
      { id: 'c', distance: -6 },
      { id: 'b', distance: -2 },
      { id: 'a', distance: -1 },
    ]);
  });

  it('cosine: 1 - cos, length ignored', () => {
    // query (1, 1): c is the same direction (0), a and b at 45 degrees, d at 135 degrees
    const hits = build('cosine').search([2, 2], 4);
    expect(hits[0].id).toBe('c');
    expect(hits[0].distance).toBeCloseTo(0, 6);
    expect(
      hits
        .slice(1, 3)
        .map((h) => h.id)
        .sort(),
    ).toEqual(['a', 'b']);
    expect(hits[1].distance).toBeCloseTo(1 - Math.SQRT1_2, 6);
    expect(hits[3]).toMatchObject({ id: 'd' });
    expect(hits[3].distance).toBeCloseTo(1 + Math.SQRT1_2, 6);
  });

  it('filters, removes (moving the last row into the hole) and grows past its first block', () => {
    const r = build('l2');
    expect(r.search([1, 1], 4, (m) => m.even === true).map((h) => h.id)).toEqual(['b', 'd']);
    r.remove('a');
    expect(r.size()).toBe(3);
    expect(r.search([1, 1], 1)).toEqual([{ id: 'b', distance: 2 }]);
    expect(r.search([-1, 0], 1)).toEqual([{ id: 'd', distance: 0 }]);
    for (let i = 0; i < 200; i++) r.add(`g${i}`, [i, -i]);
    expect(r.size()).toBe(203);
    expect(r.search([150, -150], 1)).toEqual([{ id: 'g150', distance: 0 }]);
  });

  it('refuses bad input with a RetrieverError and keeps answering as before', () => {
    const r: Retriever = build('l2');
    const before = r.search([1, 1], 4);
    const bad: [() => unknown, RegExp][] = [
      [() => r.add('x', [1, 2, 3]), /dimension 3.*dimension 2/],
      [() => r.add('x', [Number.NaN, 1]), /vector\[0\] is NaN/],
      [() => r.search([1, Number.POSITIVE_INFINITY], 1), /query\[1\] is Infinity/],
      [() => r.search([1, 1], 0), /k must be a positive integer/],
      [() => r.search([1, 1], 1.5), /k must be a positive integer/],
      [() => r.remove('nope'), /unknown id "nope"/],
      [
        () =>
          r.search([1, 1], 2, () => {
            throw new Error('boom');
          }),
        /filter threw on id "a": boom/,
      ],
      [() => new ExactRetriever({ dim: 2, space: 'cosine' }).add('z', [0, 0]), /all zeros/],
    ];
    for (const [call, message] of bad) {
      expect(call).toThrow(RetrieverError);
      expect(call).toThrow(message);
    }
    expect(r.size()).toBe(4);
    expect(r.search([1, 1], 4)).toEqual(before);
  });
});
