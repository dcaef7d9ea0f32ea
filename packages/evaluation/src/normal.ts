/**
 * The standard normal tail P(Z > z), for DeLong's one-sided p-value (Q15). erfc comes from a power
 * series for |x| < 2.5 and a continued fraction (modified Lentz; Press et al., Numerical Recipes, 3rd
 * ed., 5.2) for |x| >= 2.5; both are accurate to ~1e-14 relative, checked against scipy.stats.norm.sf
 * out to z = 30 (golden/normal.json). Hand-written because JavaScript has no erfc.
 */

/** erfc(x) for x >= 0. */
function erfcPos(x: number): number {
  if (x < 2.5) {
    // erf(x) = 2/sqrt(pi) e^{-x^2} sum_k (2x^2)^k x / (1*3*...*(2k+1)): all terms positive, no cancellation.
    let term = x;
    let sum = x;
    const x2 = 2 * x * x;
    for (let k = 1; k < 200 && term > 1e-17 * sum; k++) {
      term *= x2 / (2 * k + 1);
      sum += term;
    }
    return 1 - (2 / Math.sqrt(Math.PI)) * Math.exp(-x * x) * sum;
  }
  // erfc(x) = e^{-x^2}/sqrt(pi) / (x + (1/2)/(x + 1/(x + (3/2)/(x + ...)))), modified Lentz.
  const tiny = 1e-300;
  let f = x;
  let c = x;
  let d = 0;
  for (let k = 1; k < 500; k++) {
    const a = k / 2;
    d = x + a * d;
    d = 1 / (Math.abs(d) < tiny ? tiny : d);
    c = x + a / c;
    if (Math.abs(c) < tiny) c = tiny;
    const step = c * d;
    f *= step;
    if (Math.abs(step - 1) < 1e-16) break;
  }
  return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
}

/** P(Z > z) for a standard normal Z (NaN for NaN). */
export function normalSf(z: number): number {
  if (Number.isNaN(z)) return Number.NaN;
  const x = z / Math.SQRT2;
  return x >= 0 ? 0.5 * erfcPos(x) : 1 - 0.5 * erfcPos(-x);
}
