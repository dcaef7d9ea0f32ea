/**
 * The small toolkit every `pnpm bench <name>` script shares: integer flags, wall + CPU timing,
 * medians, and interleaved races so a busy machine slows the candidate and its baseline alike.
 * Benchmarks report ratios against a baseline measured in the same run (ARCHITECTURE.md "Conventions").
 * The table and JSON line every benchmark prints are in report.ts, the out-of-process HTTP load in
 * load.ts (with loadgen.mjs), a benchmark's catalogue entry in definition.ts.
 */

export type { BenchDefinition, BenchService } from './definition.ts';
export * from './load.ts';
export * from './report.ts';

export interface Timing {
  wall: number;
  /** Process CPU time (user + system, all threads, so GC helpers count): steadier than wall time
   *  on a busy machine, since time spent waiting for a core is not counted. */
  cpu: number;
}

/** `--name N` from argv as a positive integer, else `fallback`; a clear error otherwise. */
export function intArg(name: string, fallback: number, argv: readonly string[] = process.argv): number {
  const i = argv.indexOf(`--${name}`);
  const value = i >= 0 ? Number(argv[i + 1]) : fallback;
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`--${name} needs a positive integer`);
  return value;
}

/** True when `--name` is on the command line. */
export function flag(name: string, argv: readonly string[] = process.argv): boolean {
  return argv.includes(`--${name}`);
}

export function median(xs: readonly number[]): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function measure(fn: () => unknown): Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  fn();
  const wall = performance.now() - t0;
  const c = process.cpuUsage(c0);
  return { wall, cpu: (c.user + c.system) / 1000 };
}

/** Median wall and CPU time of `runs` calls of `fn(run)`. */
export function time(runs: number, fn: (run: number) => unknown): Timing {
  const all: Timing[] = [];
  for (let run = 0; run < runs; run++) all.push(measure(() => fn(run)));
  return { wall: median(all.map((t) => t.wall)), cpu: median(all.map((t) => t.cpu)) };
}

/** Runs the candidates interleaved (a, b, a, b, ...) after one warm-up each; medians per candidate. */
export function race(runs: number, fns: readonly (() => unknown)[]): Timing[] {
  for (const f of fns) f();
  const all = fns.map(() => [] as Timing[]);
  for (let r = 0; r < runs; r++) {
    for (const [i, f] of fns.entries()) all[i].push(measure(f));
  }
  return all.map((ts) => ({ wall: median(ts.map((t) => t.wall)), cpu: median(ts.map((t) => t.cpu)) }));
}
