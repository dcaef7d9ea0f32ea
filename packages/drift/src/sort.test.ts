/** sortFloat64 / sortedFloat64 give exactly the order of TypedArray.prototype.sort, the reference they replace. */

import { mulberry32 } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { sortedFloat64, sortFloat64 } from './sort.ts';

/** Bitwise comparison, so -0 against +0 and every NaN position count. */
function sameBits(ours: Float64Array, reference: Float64Array): string | null {
  if (ours.length !== reference.length) return `length ${ours.length} vs ${reference.length}`;
  const a = new Uint32Array(ours.buffer, ours.byteOffset, 2 * ours.length);
  const b = new Uint32Array(reference.buffer, reference.byteOffset, 2 * reference.length);
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) return `index ${i >> 1}: ${ours[i >> 1]} vs ${reference[i >> 1]}`;
  }
  return null;
}

/** A NaN with its sign bit set: radix order alone would put it first. */
function negativeNaN(): number {
  const w = new Uint32Array([0, 0xfff80000]);
  return new Float64Array(w.buffer)[0];
}

const rnd = mulberry32(7);
const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
const SPECIALS = [
  0,
  -0,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  5e-324,
  -5e-324,
  1.7e308,
  -1.7e308,
];

const cases: [string, Float64Array][] = [
  ['bell, both signs', Float64Array.from({ length: 50_000 }, () => (rnd() + rnd() + rnd() - 1.5) * 3)],
  ['positive only (the sign digit is constant)', Float64Array.from({ length: 20_000 }, () => rnd() * 1e6)],
  ['negative only', Float64Array.from({ length: 20_000 }, () => -rnd() * 1e-3)],
  [
    'small integers (most digits constant, odd pass count)',
    Float64Array.from({ length: 30_000 }, () => Math.floor(rnd() * 9) - 4),
  ],
  ['every value equal (no pass at all)', new Float64Array(5_000).fill(-2.5)],
  ['zeros of both signs', Float64Array.from({ length: 4_000 }, () => (rnd() < 0.5 ? -0 : 0))],
  [
    'infinities, subnormals, extremes mixed in',
    Float64Array.from({ length: 10_000 }, () => (rnd() < 0.2 ? pick(SPECIALS) : rnd() - 0.5)),
  ],
  ['one value under the radix threshold', Float64Array.from({ length: 1_023 }, () => rnd() - 0.5)],
  ['one value over the radix threshold', Float64Array.from({ length: 1_025 }, () => rnd() - 0.5)],
  [
    'NaN (both signs) among values: the typed sort takes over',
    Float64Array.from({ length: 8_000 }, (_, i) =>
      i % 97 === 0 ? (i % 2 ? Number.NaN : negativeNaN()) : rnd() - 0.5,
    ),
  ],
  ['an empty array', new Float64Array(0)],
];

describe('sortFloat64 orders like the typed sort', () => {
  it.each(cases)('%s', (_name, values) => {
    const reference = values.slice().sort();
    const copy = values.slice();
    expect(sortedFloat64(values).length).toBe(values.length);
    expect(sameBits(sortedFloat64(values), reference)).toBeNull();
    expect(sameBits(sortFloat64(copy), reference)).toBeNull();
  });

  it('sortedFloat64 leaves its input as it was; sortFloat64 sorts in place and returns the same array', () => {
    const values = Float64Array.from({ length: 5_000 }, () => rnd() - 0.5);
    const before = values.slice();
    sortedFloat64(values);
    expect(sameBits(values, before)).toBeNull();
    expect(sortFloat64(values)).toBe(values);
    expect(sameBits(values, before.sort())).toBeNull();
  });

  it('sorts a view into a larger buffer without touching the values outside it', () => {
    const whole = Float64Array.from({ length: 12_000 }, () => rnd() - 0.5);
    const outside = [whole.slice(0, 1_000), whole.slice(11_000)];
    const view = whole.subarray(1_000, 11_000);
    const reference = view.slice().sort();
    expect(sameBits(sortedFloat64(view), reference)).toBeNull();
    sortFloat64(view);
    expect(sameBits(view, reference)).toBeNull();
    expect(sameBits(whole.subarray(0, 1_000), outside[0])).toBeNull();
    expect(sameBits(whole.subarray(11_000), outside[1])).toBeNull();
  });
});
