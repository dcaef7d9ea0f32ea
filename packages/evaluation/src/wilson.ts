/**
 * The Wilson score interval of a binomial proportion (Q15: the false-promotion rate of the verdict,
 * measured over simulated experiments, is reported with its interval next to alpha). Reference: Wilson
 * (1927), "Probable inference, the law of succession, and statistical inference", JASA 22(158); the
 * same numbers as scipy.stats.binomtest(k, n).proportion_ci(method="wilson") (golden/wilson.json).
 * Chosen over the normal (Wald) interval because a rate near 0, as a false-promotion rate at alpha 0.05
 * is, gets a Wald interval that dips below 0 and covers too rarely.
 */
import { EvaluationInputError } from './errors.ts';

/** z of a two-sided 95% interval: the 0.975 quantile of the standard normal. */
export const Z95 = 1.959963984540054;

/** Wilson score interval [low, high] of `successes` out of `trials` (95% by default). */
export function wilson(successes: number, trials: number, z = Z95): [number, number] {
  if (!Number.isInteger(trials) || trials < 1)
    throw new EvaluationInputError('argument', `wilson: trials ${trials} must be an integer >= 1`);
  if (!Number.isInteger(successes) || successes < 0 || successes > trials) {
    throw new EvaluationInputError(
      'argument',
      `wilson: successes ${successes} must be an integer in [0, trials = ${trials}]`,
    );
  }
  if (!(z > 0)) throw new EvaluationInputError('argument', `wilson: z ${z} must be > 0`);
  const p = successes / trials;
  const z2 = z * z;
  const centre = (p + z2 / (2 * trials)) / (1 + z2 / trials);
  const half = (z / (1 + z2 / trials)) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  return [Math.max(0, centre - half), Math.min(1, centre + half)];
}
