/**
 * Exact null distribution of the two-sided two-sample KS statistic, P(D_{m,n} >= h/lcm(m,n)), by
 * counting lattice paths (Q27: exact p-values for small windows).
 *
 * Ports of scipy 1.17: `_compute_prob_outside_square` (scipy/stats/_stats_py.py, the m == n case) and
 * `_compute_outer_prob_inside_method` (scipy/stats/_stats_pythran.py, Hodges 1958 with the 1-p
 * recursion of Viehmann 2021, arXiv:2102.08037, which keeps every entry in [0, 1]).
 */

/** P(D_{n,n} >= h/n): 2 * (A0 - A0*A1 + ...) evaluated Horner-style to avoid cancellation. */
export function probOutsideSquare(n: number, h: number): number {
  let P = 0;
  let k = Math.floor(n / h);
  while (k >= 0) {
    let p1 = 1;
    for (let j = 0; j < h; j++) p1 = ((n - k * h - j) * p1) / (n + k * h + j + 1);
    P = p1 * (1 - P);
    k -= 1;
  }
  return 2 * P;
}

/**
 * Proportion of lattice paths from (0,0) to (m,n) that leave the band |x/m - y/n| < h/lcm(m,n),
 * i.e. P(D_{m,n} >= h/lcm). `g` is gcd(m, n). O(m * band width) time, O(band width) memory.
 */
export function probOutsideBand(m: number, n: number, g: number, h: number): number {
  if (m < n) [m, n] = [n, m];
  const mg = m / g;
  const ng = n / g;
  let minj = 0;
  let maxj = Math.min(Math.ceil(h / mg), n + 1);
  let curlen = maxj - minj;
  const lenA = Math.min(2 * maxj + 2, n + 1);
  const A = new Float64Array(lenA).fill(1);
  A.fill(0, minj, maxj);
  for (let i = 1; i <= m; i++) {
    const lastminj = minj;
    const lastlen = curlen;
    minj = Math.min(Math.max(Math.floor((ng * i - h) / mg) + 1, 0), n);
    maxj = Math.min(Math.ceil((ng * i + h) / mg), n + 1);
    if (maxj <= minj) return 1;
    let val = minj === 0 ? 0 : 1;
    const shift = minj - lastminj;
    for (let jj = 0; jj < maxj - minj; jj++) {
      const j = jj + minj;
      val = (A[jj + shift] * i + val * j) / (i + j);
      A[jj] = val;
    }
    curlen = maxj - minj;
    if (lastlen > curlen) {
      // Entries carried over from the longer previous window are outside the band now: prob 1.
      A.fill(1, maxj - minj, Math.min(lenA, maxj - minj + (lastlen - curlen)));
    }
  }
  return A[maxj - minj - 1];
}
