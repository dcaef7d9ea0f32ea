/**
 * Benchmark of @mlops-lab/drift (Q27), each number against a baseline measured in the same run:
 * (a) ks2Sample, asymptotic, 1e6 vs 1e6 Float64 values, against its floor: copying both samples into
 *     Float64Arrays and sorting them (typed sort, no comparator), which any exact KS needs. Target <= 1.5x.
 * (b) compare(): 100k rows x 20 features against a profile stored in (and loaded from) Postgres, against
 *     a straightforward version of the same tests (Array copies, comparator sort, a searchsorted ECDF per
 *     pooled value, scipy-style). Budget 2 s.
 *
 * (c) `pnpm lab drift --quick` and `pnpm lab drift` on the embedded services, against their budgets
 *     (30 s and 2 min); skipped with --no-lab.
 *
 *   pnpm bench drift [--runs 5] [--no-lab]   (or: pnpm exec tsx packages/drift/bench/drift.ts)
 *
 * Postgres comes from @mlops-lab/services (DATABASE_URL, Docker, else embedded PGlite).
 */
import { flag, intArg, median, ms, race, type Timing } from '@mlops-lab/benchkit';
import { acquire } from '@mlops-lab/services';
import { chiSquaredTest } from '../src/chi2.ts';
import type { Columns } from '../src/columns.ts';
import { compare } from '../src/detector.ts';
import { kstwoSf } from '../src/kolmogorov.ts';
import { ks2Sample, roundHalfEven } from '../src/ks.ts';
import { buildProfile, type Profile } from '../src/profile.ts';
import { driftMigrations, loadProfile, saveProfile } from '../src/profile-store.ts';
import { makeWideColumns } from '../src/testing/data.ts';
import { bell } from '../src/testing/golden.ts';
import { type LabTiming, timeLab } from './lib/lab-timing.ts';

const runs = intArg('runs', 5);

// (a) KS on 1e6 vs 1e6 ---------------------------------------------------------------------------
const N = 1_000_000;
const a = bell(1, N);
const b = bell(2, N);
const shifted = bell(3, N, 0.01);
let sink = 0;
const floor = () => {
  const x = a.slice();
  x.sort();
  const y = b.slice();
  y.sort();
  sink += x[0] + y[0];
};
const [floorT, ksT, ksShiftT] = race(runs, [
  floor,
  () => (sink += ks2Sample(a, b, { method: 'asymp' }).pValue),
  () => (sink += ks2Sample(a, shifted, { method: 'asymp' }).pValue),
]);
const ksNull = ks2Sample(a, b, { method: 'asymp' });
const ksShift = ks2Sample(a, shifted, { method: 'asymp' });

// (b) compare 100k x 20 against a stored profile ------------------------------------------------
const ROWS = 100_000;
const FEATURES = 20;
const ref = makeWideColumns(10, ROWS, FEATURES);
const cur = makeWideColumns(11, ROWS, FEATURES, 0.3);
const names = ref.schema.map((f) => f.name);
const toRows = (cols: Columns) =>
  Array.from({ length: ROWS }, (_, i) => Object.fromEntries(names.map((n) => [n, cols[n][i]])));
const curRows = toRows(cur.columns);

/** Straightforward baseline: number[] copies, comparator sort, scipy-literal searchsorted ECDFs. */
function naiveCompare(profile: Profile, rows: Record<string, unknown>[]) {
  const upper = (s: number[], v: number) => {
    let lo = 0;
    let hi = s.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (s[mid] <= v) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  return profile.features.map((f) => {
    if (f.type === 'categorical') {
      const counts: Record<string, number> = {};
      for (const r of rows) {
        const v = r[f.name];
        if (v != null) counts[String(v)] = (counts[String(v)] ?? 0) + 1;
      }
      return chiSquaredTest(f.counts, counts).pValue;
    }
    const x = Array.from(f.sample);
    const y = rows.map((r) => r[f.name]).filter((v): v is number => typeof v === 'number');
    y.sort((p, q) => p - q);
    let d = 0;
    for (const v of [...x, ...y]) d = Math.max(d, Math.abs(upper(x, v) / x.length - upper(y, v) / y.length));
    const m = Math.max(x.length, y.length);
    const n = Math.min(x.length, y.length);
    return kstwoSf(d, roundHalfEven((m * n) / (m + n)));
  });
}

const services = await acquire({
  needs: ['postgres'],
  namespace: 'drift-bench',
  ephemeral: true,
  log: () => {},
});
let stored: Profile;
let saveT: Timing;
let loadT: Timing;
try {
  await services.migrate('drift', driftMigrations);
  const profile = buildProfile(ref.columns, ref.schema);
  let t0 = performance.now();
  await saveProfile(services.pg, 'bench-reference', profile);
  saveT = { wall: performance.now() - t0, cpu: Number.NaN };
  const loads: number[] = [];
  stored = profile;
  for (let r = 0; r < runs; r++) {
    t0 = performance.now();
    stored = await loadProfile(services.pg, 'bench-reference');
    loads.push(performance.now() - t0);
  }
  loadT = { wall: median(loads), cpu: Number.NaN };
} finally {
  await services.close();
}
const backend = services.backends.postgres?.kind ?? 'unknown';
const [rowsT, colsT, naiveT] = race(runs, [
  () => compare(stored, curRows),
  () => compare(stored, cur.columns),
  () => naiveCompare(stored, curRows),
]);
const report = compare(stored, curRows);

// (c) the drift lab end to end on the embedded services, against its budgets ----------------------
const labs: LabTiming[] = flag('no-lab') ? [] : [timeLab(['--quick'], 30_000), timeLab([], 120_000)];

// Output ------------------------------------------------------------------------------------------
const ratio = (x: Timing, base: Timing) =>
  `x${(x.wall / base.wall).toFixed(2)} wall, x${(x.cpu / base.cpu).toFixed(2)} cpu`;
console.log(`drift benchmark: median of ${runs} interleaved runs after warm-up (Node ${process.version})`);
console.log(`  ${''.padEnd(52)} ${'wall'.padStart(11)} ${'cpu'.padStart(11)}  vs baseline`);
const table: [string, Timing, string][] = [
  ['(a) floor: copy + typed sort of 2 x 1e6 values', floorT, 'baseline'],
  [`    ks2Sample asymp 1e6 vs 1e6, same dist (p ${ksNull.pValue.toFixed(3)})`, ksT, ratio(ksT, floorT)],
  [
    `    ks2Sample asymp 1e6 vs 1e6, +0.01 sd (p ${ksShift.pValue.toExponential(1)})`,
    ksShiftT,
    ratio(ksShiftT, floorT),
  ],
  [`(b) profile save to Postgres (${backend})`, saveT, ''],
  [`    profile load from Postgres (${backend})`, loadT, ''],
  ['    baseline: naive compare, row objects', naiveT, 'baseline'],
  [`    compare ${ROWS / 1000}k rows x ${FEATURES} features (row objects)`, rowsT, ratio(rowsT, naiveT)],
  [`    compare ${ROWS / 1000}k rows x ${FEATURES} features (columns)`, colsT, ratio(colsT, naiveT)],
  ['    load + compare (row objects) vs 2 s budget', { wall: loadT.wall + rowsT.wall, cpu: Number.NaN }, ''],
];
for (const [name, t, r] of table) console.log(`  ${name.padEnd(52)} ${ms(t.wall)} ${ms(t.cpu)}  ${r}`);
for (const l of labs) {
  const verdict = `${l.passed ? 'checks pass' : 'CHECKS FAIL'}, budget ${l.budgetMs / 1000} s: x${(l.ms / l.budgetMs).toFixed(2)}`;
  console.log(
    `  ${`(c) pnpm lab drift ${l.args.join(' ')} (embedded)`.padEnd(52)} ${ms(l.ms)} ${ms(Number.NaN)}  ${verdict}`,
  );
}
console.log(`  compare verdict: drifted ${JSON.stringify(report.driftedFeatures)}`);
if (Number.isNaN(sink)) console.log('unreachable: keeps results alive');
console.log(
  JSON.stringify({
    bench: 'drift',
    runs,
    ks: {
      n: N,
      floorMs: floorT.wall,
      ksMs: ksT.wall,
      ratioWall: ksT.wall / floorT.wall,
      ratioCpu: ksT.cpu / floorT.cpu,
      shiftedKsMs: ksShiftT.wall,
      shiftedRatioWall: ksShiftT.wall / floorT.wall,
      target: 1.5,
    },
    compare: {
      rows: ROWS,
      features: FEATURES,
      backend,
      saveMs: saveT.wall,
      loadMs: loadT.wall,
      rowsMs: rowsT.wall,
      columnsMs: colsT.wall,
      naiveMs: naiveT.wall,
      speedupVsNaive: naiveT.wall / rowsT.wall,
      loadPlusCompareMs: loadT.wall + rowsT.wall,
      budgetMs: 2000,
    },
    lab: labs,
  }),
);
