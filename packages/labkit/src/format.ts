/**
 * Small helpers labs use to build their checks and print measured numbers
 * (ARCHITECTURE.md "Lab anatomy": checks are named, every printed number is measured in the run).
 */
import { performance } from 'node:perf_hooks';
import type { Check } from './types.ts';

/** `check('drift flagged on amount', p < 0.01, `p = ${fmt.p(p)}`)` */
export function check(name: string, passed: boolean, detail = ''): Check {
  return { name, passed, detail };
}

/** Runs fn and measures its wall time with the monotonic clock. */
export async function timed<T>(fn: () => T | Promise<T>): Promise<{ result: T; ms: number }> {
  const start = performance.now();
  const result = await fn();
  return { result, ms: performance.now() - start };
}

/** Synchronous twin of `timed`, for CPU-bound code where an await would blur the measurement. */
export function timedSync<T>(fn: () => T): { result: T; ms: number } {
  const start = performance.now();
  const result = fn();
  return { result, ms: performance.now() - start };
}

/** `1.5e-12`, not `1.50e+0`: exponent without a plus sign, mantissa without trailing zeros. */
function exponential(x: number, digits: number): string {
  return x
    .toExponential(digits)
    .replace(/(\.\d*?)0+e/, '$1e')
    .replace('.e', 'e')
    .replace('e+', 'e');
}

/** Strips trailing zeros of a fixed-point string: `0.500` -> `0.5`, `2.000` -> `2`. */
function trimZeros(s: string): string {
  return s.includes('.') && !s.includes('e') ? s.replace(/\.?0+$/, '') : s;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;

export const fmt = {
  /**
   * p-values: `2.3e-12` below 0.001, else three decimals (`0.041`). A p-value of exactly 0 is one
   * that underflowed a double (scipy prints 0.0 too): it is below 1e-300, not zero.
   */
  p(p: number): string {
    if (!Number.isFinite(p)) return String(p);
    if (p === 0) return '< 1e-300';
    return p < 1e-3 ? exponential(p, 1) : trimZeros(p.toFixed(3));
  },
  /** A ratio as a percentage: `fmt.pct(0.1234)` -> `12.3%`. */
  pct(ratio: number, digits = 1): string {
    return Number.isFinite(ratio) ? `${(ratio * 100).toFixed(digits)}%` : String(ratio);
  },
  /**
   * Milliseconds, at a resolution that fits the magnitude: `0.42 ms`, `12 ms`, `1.2 s`, `2m 03s`,
   * `12.0 h`, `3.5 d`. Negative durations keep their sign.
   */
  ms(ms: number): string {
    if (!Number.isFinite(ms)) return String(ms);
    if (ms < 0) return `-${fmt.ms(-ms)}`;
    if (ms >= 2 * DAY_MS) return `${(ms / DAY_MS).toFixed(1)} d`;
    if (ms >= HOUR_MS) return `${(ms / HOUR_MS).toFixed(1)} h`;
    if (ms < 1) return `${ms.toFixed(2)} ms`;
    if (ms < 10) return `${ms.toFixed(1)} ms`;
    if (ms < 1000) return `${Math.round(ms)} ms`;
    if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
    const s = Math.round(ms / 1000);
    return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  },
  /** Seconds, formatted as fmt.ms does: `fmt.seconds(43128)` -> `12.0 h`. */
  seconds(s: number): string {
    return fmt.ms(s * 1000);
  },
  /**
   * A count for prose: as it is below 10,000, else three significant digits and an SI suffix:
   * `8000`, `16.4 k`, `200 k`, `16.4 M`, `2.1 B`.
   */
  count(x: number): string {
    if (!Number.isFinite(x)) return String(x);
    const abs = Math.abs(x);
    if (abs < 10_000) return String(Math.round(x));
    // Pick the suffix after rounding, so 999,999 reads `1 M`, not `1.00e+3 k`.
    const rounded = Number(x.toPrecision(3));
    const [scale, suffix] =
      Math.abs(rounded) < 1e6 ? [1e3, 'k'] : Math.abs(rounded) < 1e9 ? [1e6, 'M'] : [1e9, 'B'];
    return `${trimZeros((rounded / scale).toPrecision(3))} ${suffix}`;
  },
  /** A speed-up or slow-down factor: `3.2×`. */
  ratio(x: number, digits = 1): string {
    return Number.isFinite(x) ? `${x.toFixed(digits)}×` : String(x);
  },
  /**
   * A number for a table or a metric line: integers as they are, others with 4 significant
   * digits, scientific notation when very small or very large.
   */
  num(x: number): string {
    if (!Number.isFinite(x)) return String(x);
    if (Number.isInteger(x) && Math.abs(x) < 1e15) return String(x);
    const abs = Math.abs(x);
    if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return exponential(x, 2);
    if (abs >= 1000) return trimZeros(x.toFixed(1));
    return trimZeros(x.toPrecision(4));
  },
};
