/**
 * Chi-squared test of homogeneity on the 2 x k table (reference vs current) over the union of
 * categories: the drift test for categorical features (Q27; Q4 data drift).
 *
 * Matches scipy.stats.chi2_contingency(table, correction=False) of scipy 1.17 (Pearson statistic,
 * dof = k - 1, p = chi2.sf). Conventions where scipy would raise or degenerate:
 * - categories with zero total on both sides are dropped (scipy raises on a zero expected count);
 * - k == 1 after dropping: statistic 0, pValue 1, dof 0 (scipy's dof == 0 branch);
 * - an empty side (total 0) is a DriftInputError.
 */
import { type CategoricalInput, toCounts, totalOf, unionCategories } from './categories.ts';
import { chi2Sf } from './gamma.ts';

export interface ChiSquaredResult {
  statistic: number;
  pValue: number;
  dof: number;
  /** Categories in table column order (reference's first-seen order, then new ones). */
  categories: string[];
  /** Observed counts per category, aligned with `categories`. */
  observed: { reference: number[]; current: number[] };
}

/** Chi-squared homogeneity test of two categorical samples. */
export function chiSquaredTest(reference: CategoricalInput, current: CategoricalInput): ChiSquaredResult {
  const ref = toCounts(reference, 'reference');
  const cur = toCounts(current, 'current');
  const r1 = totalOf(ref, 'reference');
  const r2 = totalOf(cur, 'current');
  const categories: string[] = [];
  const o1: number[] = [];
  const o2: number[] = [];
  for (const k of unionCategories(ref, cur)) {
    const a = ref.get(k) ?? 0;
    const b = cur.get(k) ?? 0;
    if (a + b > 0) {
      categories.push(k);
      o1.push(a);
      o2.push(b);
    }
  }
  const observed = { reference: o1, current: o2 };
  const k = categories.length;
  if (k < 2) return { statistic: 0, pValue: 1, dof: 0, categories, observed };
  const total = r1 + r2;
  // Row-major sum over the 2 x k table, as numpy sums the flattened array.
  let stat = 0;
  for (const [row, rowTotal] of [
    [o1, r1],
    [o2, r2],
  ] as const) {
    for (let j = 0; j < k; j++) {
      const e = (rowTotal * (o1[j] + o2[j])) / total;
      const diff = row[j] - e;
      stat += (diff * diff) / e;
    }
  }
  const dof = k - 1;
  return { statistic: stat, pValue: chi2Sf(stat, dof), dof, categories, observed };
}
