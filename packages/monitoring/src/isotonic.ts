/**
 * Isotonic regression by pool-adjacent-violators (Q28: calibrating a model's scores on the reference
 * window before they are read as probabilities). Reference: Barlow, Bartholomew, Bremner & Brunk
 * (1972), the PAVA step; prediction follows scikit-learn's IsotonicRegression(out_of_bounds='clip'):
 * linear interpolation between the ends of each fitted block, constant outside the fitted range.
 */
import { MonitoringInputError } from './errors.ts';

export interface IsotonicFit {
  /** Knot x values, ascending (each block's first and last score). */
  x: Float64Array;
  /** Fitted value at each knot, non-decreasing. */
  y: Float64Array;
}

/** Fits a non-decreasing step function of x to y (equal weights; ties in x pooled first). */
export function fitIsotonic(x: ArrayLike<number>, y: ArrayLike<number>): IsotonicFit {
  const n = x.length;
  if (n === 0 || y.length !== n)
    throw new MonitoringInputError(`isotonic: need equal, non-empty x and y (got ${n} and ${y.length})`);
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => x[a] - x[b]);
  // Blocks: value (weighted mean), weight, first and last x. Equal x start in one block (sklearn pools ties).
  const value: number[] = [];
  const weight: number[] = [];
  const lo: number[] = [];
  const hi: number[] = [];
  for (const i of order) {
    const xi = x[i];
    if (!Number.isFinite(xi) || !Number.isFinite(y[i]))
      throw new MonitoringInputError(`isotonic: x and y must be finite (index ${i})`);
    const last = value.length - 1;
    if (last >= 0 && hi[last] === xi) {
      value[last] = (value[last] * weight[last] + y[i]) / (weight[last] + 1);
      weight[last] += 1;
    } else {
      value.push(y[i]);
      weight.push(1);
      lo.push(xi);
      hi.push(xi);
    }
    // Pool while the last two blocks violate monotonicity.
    while (value.length > 1 && value[value.length - 2] > value[value.length - 1]) {
      const b = value.length - 1;
      const w = weight[b - 1] + weight[b];
      value[b - 1] = (value[b - 1] * weight[b - 1] + value[b] * weight[b]) / w;
      weight[b - 1] = w;
      hi[b - 1] = hi[b];
      value.pop();
      weight.pop();
      lo.pop();
      hi.pop();
    }
  }
  const xs: number[] = [];
  const ys: number[] = [];
  for (let b = 0; b < value.length; b++) {
    xs.push(lo[b]);
    ys.push(value[b]);
    if (hi[b] !== lo[b]) {
      xs.push(hi[b]);
      ys.push(value[b]);
    }
  }
  return { x: Float64Array.from(xs), y: Float64Array.from(ys) };
}

/** The fitted function at v: interpolated between knots, clipped to the end values outside them. */
export function predictIsotonic(fit: IsotonicFit, v: number): number {
  const { x, y } = fit;
  const last = x.length - 1;
  if (v <= x[0]) return y[0];
  if (v >= x[last]) return y[last];
  let a = 0;
  let b = last;
  while (b - a > 1) {
    const m = (a + b) >> 1;
    if (x[m] <= v) a = m;
    else b = m;
  }
  const t = (v - x[a]) / (x[b] - x[a]);
  return y[a] + t * (y[b] - y[a]);
}
