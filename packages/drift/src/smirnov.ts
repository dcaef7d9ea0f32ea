/**
 * Survival function of the one-sided Smirnov statistic D+_n, P(D+_n >= x), used by the two-sided
 * Kolmogorov distribution for large deviations (Q27: p-values of the KS drift test).
 *
 * Matches scipy.special.smirnov (scipy 1.17, xsf/cephes/kolmogorov.h `_smirnov`) on the branches that
 * `kolmogn` reaches. The Birnbaum–Tingey lower sum is evaluated in log space instead of scipy's
 * double-double arithmetic: every term is positive there, so there is no cancellation to guard against
 * and plain doubles keep ~1e-12 relative accuracy.
 */

/** log(2^-1075): exp of anything below underflows (cephes MINLOG). */
const MINLOG = -745.1332191019412;
/** Above this n scipy switches to the closed-form approximation; so do we, to stay comparable. */
const SMIRNOV_MAX_COMPUTE_N = 1_000_000;

function clip01(p: number): number {
  return p < 0 ? 0 : Math.min(p, 1);
}

/** P(D+_n >= x) for integer n >= 1 and 0 <= x <= 1. */
export function smirnovSf(n: number, x: number): number {
  if (!(n > 0 && x >= 0 && x <= 1)) return Number.NaN;
  if (n === 1) return 1 - x;
  if (x === 0) return 1;
  if (x === 1) return 0;
  const nx = n * x;
  // scipy takes floor(n*x) in double-double; a rounding slip here only adds or drops a term whose
  // base (1 - x - v/n) is ~0, i.e. a term of ~0, so the plain product is enough.
  const nxfl = Math.floor(nx);
  const alpha = nx - nxfl;
  if (nxfl === 0 || (nxfl === 1 && alpha === 0)) {
    // x <= 1/n: a single closed-form term.
    const cdf = x * (1 + x) ** (n - 1);
    return clip01(1 - cdf);
  }
  if (-2 * n * x * x < MINLOG) return 0;
  if (nxfl >= n - 1) return clip01((1 - x) ** n);
  if (n > SMIRNOV_MAX_COMPUTE_N) {
    // Closed-form approximation p ~ exp(-(6nx+1)^2 / 18n), as scipy does for huge n.
    const logp = -((6 * n * x + 1) ** 2) / 18 / n;
    return clip01(logp < -Math.LN2 ? Math.exp(logp) : 1 + Math.expm1(logp));
  }
  // Lower sum over v = 0 .. (largest v with 1 - x - v/n > 0):
  //   sf = x * sum_v C(n, v) (1 - x - v/n)^(n-v) (x + v/n)^(v-1)
  let lastV = n - nxfl - (alpha === 0 ? 0 : 1);
  if (alpha === 0) lastV -= 1;
  const nTerms = lastV + 1;
  const vmid = Math.floor(n / 2);
  let sum = Math.exp(n * Math.log1p(-x) - Math.log(x));
  // log C(n, v), advanced one factor per term. It grows to ~n*log(2) while each term's exponent is
  // O(1), so the running sum is Kahan-compensated: plain rounding would cost ~1e-8 relative at n = 1e6.
  let logC = 0;
  let logCComp = 0;
  for (let v = 1; v < nTerms; v++) {
    const inc = Math.log((n - v + 1) / v) - logCComp;
    const next = logC + inc;
    logCComp = next - logC - inc;
    logC = next;
    const lower = (n - v) / n - x;
    const upper = x + v / n;
    const term = lower > 0 ? Math.exp(logC + (n - v) * Math.log(lower) + (v - 1) * Math.log(upper)) : 0;
    sum += term;
    // Same early exit as scipy: the remaining terms cannot move the sum by an ulp.
    if (term !== 0) {
      if (4 * (nTerms - v) * term < Number.EPSILON * sum && v !== nTerms - 1) break;
    } else if (v > vmid) {
      break;
    }
  }
  return clip01(x * sum);
}
