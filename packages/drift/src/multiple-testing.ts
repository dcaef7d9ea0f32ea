/**
 * Multiple-testing control for drift checks over many features (Q27: with 20 features tested every
 * window at alpha = 0.05, about one false alarm per window is expected without a correction).
 * - `benjaminiHochberg` controls the false discovery rate; its adjusted p-values match
 *   scipy.stats.false_discovery_control(p, method='bh') (scipy 1.17).
 * - `bonferroni` controls the family-wise error rate: min(1, m * p), stricter.
 * A hypothesis is rejected when its adjusted p-value is <= alpha.
 */
import { DriftInputError } from './errors.ts';

export interface AdjustedPValues {
  adjusted: number[];
  rejected: boolean[];
  alpha: number;
  method: 'bh' | 'bonferroni';
}

function validate(pValues: readonly number[], alpha: number): void {
  if (!(alpha > 0 && alpha < 1)) throw new DriftInputError(`alpha must be in (0, 1), got ${alpha}`);
  pValues.forEach((p, i) => {
    if (!(p >= 0 && p <= 1))
      throw new DriftInputError(`p-value at index ${i} is ${p}; p-values must be in [0, 1]`);
  });
}

/** Bonferroni-adjusted p-values min(1, m p) and rejections at `alpha`. */
export function bonferroni(pValues: readonly number[], alpha = 0.05): AdjustedPValues {
  validate(pValues, alpha);
  const m = pValues.length;
  const adjusted = pValues.map((p) => Math.min(1, p * m));
  return { adjusted, rejected: adjusted.map((p) => p <= alpha), alpha, method: 'bonferroni' };
}

/** Benjamini–Hochberg adjusted p-values (step-up, monotone) and rejections at FDR level `alpha`. */
export function benjaminiHochberg(pValues: readonly number[], alpha = 0.05): AdjustedPValues {
  validate(pValues, alpha);
  const m = pValues.length;
  const order = pValues.map((_, i) => i).sort((a, b) => pValues[a] - pValues[b]);
  const adjusted = new Array<number>(m);
  let running = Number.POSITIVE_INFINITY;
  // Walk from the largest p down: each adjusted value is the minimum of p_(k) * m / k over k >= rank.
  for (let r = m - 1; r >= 0; r--) {
    const idx = order[r];
    const v = pValues[idx] * (m / (r + 1));
    if (v < running) running = v;
    adjusted[idx] = Math.min(1, Math.max(0, running));
  }
  return { adjusted, rejected: adjusted.map((p) => p <= alpha), alpha, method: 'bh' };
}
