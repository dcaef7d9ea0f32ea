/**
 * Test and benchmark support: seeded synthetic windows with drift knobs (a shift of one numeric feature,
 * a null flood, a new category), as rows or as columns. Deterministic for a given seed.
 */

import { mulberry32 } from '@mlops-lab/datagen';
import type { Columns, Schema } from '../columns.ts';

export interface WindowKnobs {
  /** Added to feature `x`, in units of its standard deviation (1). */
  shift?: number;
  /** Fraction of `x` replaced by null. */
  xNullRate?: number;
  /** Fraction of `color` rows set to the unseen category "teal". */
  newCategoryRate?: number;
  /** Value of the constant feature `k` (default 7). */
  constant?: number;
}

export const TEST_SCHEMA: Schema = [
  { name: 'x', type: 'numeric' },
  { name: 'y', type: 'numeric' },
  { name: 'color', type: 'categorical' },
  { name: 'k', type: 'numeric' },
  { name: 'empty', type: 'numeric' },
];

const COLORS = ['red', 'green', 'blue', 'black'];
const CUM = [0.4, 0.7, 0.9, 1];

/** Row objects with features x ~ bell(0, 1), y ~ U(0, 10), color, k (constant), empty (all null). */
export function makeRows(seed: number, n: number, knobs: WindowKnobs = {}) {
  const rnd = mulberry32(seed);
  const rows: { x: number | null; y: number; color: string | null; k: number; empty: null }[] = [];
  const s3 = Math.sqrt(3);
  for (let i = 0; i < n; i++) {
    let x: number | null = (rnd() + rnd() + rnd() + rnd() - 2) * s3 + (knobs.shift ?? 0);
    if (rnd() < (knobs.xNullRate ?? 0)) x = null;
    const u = rnd();
    let color: string | null = COLORS[CUM.findIndex((c) => u < c)];
    if (rnd() < (knobs.newCategoryRate ?? 0)) color = 'teal';
    if (rnd() < 0.01) color = null;
    rows.push({ x, y: rnd() * 10, color, k: knobs.constant ?? 7, empty: null });
  }
  return rows;
}

/**
 * Column-oriented window with `features` features: even ones numeric bell-shaped (Float64Array), odd
 * ones categorical over 12 categories; `shift` moves numeric feature 0.
 */
export function makeWideColumns(seed: number, n: number, features: number, shift = 0) {
  const rnd = mulberry32(seed);
  const schema: Schema = Array.from({ length: features }, (_, j) => ({
    name: `f${j}`,
    type: j % 2 === 0 ? ('numeric' as const) : ('categorical' as const),
  }));
  const cats = Array.from({ length: 12 }, (_, c) => `cat_${c}`);
  const columns: Record<string, Float64Array | string[]> = {};
  for (let j = 0; j < features; j++) {
    if (j % 2 === 0) {
      const col = new Float64Array(n);
      const mean = j === 0 ? shift : j;
      for (let i = 0; i < n; i++) col[i] = (rnd() + rnd() + rnd() + rnd() - 2) * 1.7320508 + mean;
      columns[`f${j}`] = col;
    } else {
      const col = new Array<string>(n);
      for (let i = 0; i < n; i++) col[i] = cats[Math.floor(rnd() * rnd() * 12)];
      columns[`f${j}`] = col;
    }
  }
  return { schema, columns: columns as Columns };
}
