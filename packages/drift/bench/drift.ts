/**
 * Benchmark of @mlops-lab/drift (Q27), each number against a baseline measured in the same run:
 * (a) ks2Sample, asymptotic, 1e6 vs 1e6 Float64 values, against scipy.stats.ks_2samp on the same
 *     samples (python3 in a child process, timed inside it, file read excluded; bench/lib/scipy-ks.ts).
 *     scipy is timed in its own block before ours, not interleaved with it: a python process starting
 *     and exiting just before a call slowed that call by 20-60% (78 ms alone, 94-125 ms right after
 *     one, measured on this benchmark's data), which charged scipy's process teardown to us.
 *     Target: at or under scipy (x1), with the same D and p-value. Beside it, where the time goes: the
 *     sort (sort.ts's radix sort against copy + typed sort, no comparator) and the merge walk.
 * (b) compare(): 100k rows x 20 features against a profile stored in (and loaded from) Postgres, against
 *     a straightforward version of the same tests (Array copies, comparator sort, a searchsorted ECDF per
 *     pooled value, scipy-style). Budget 2 s.
 *
 * (c) `pnpm lab drift --quick` and `pnpm lab drift` on the embedded services, against their budgets
 *     (30 s and 2 min); skipped with --no-lab or --quick.
 *
 *   pnpm bench drift [--quick] [--runs 5] [--no-lab]   (or: pnpm exec tsx packages/drift/bench/drift.ts)
 *   --quick: 3 runs and no lab timing (the sizes stay: the targets are about them).
 *
 * Postgres comes from @mlops-lab/services (DATABASE_URL, Docker, else embedded PGlite). Without
 * python3 + scipy the scipy rows say "not measured" and the rest runs.
 */
import { flag, intArg, median, race, report, type Timing } from '@mlops-lab/benchkit';
import { acquire } from '@mlops-lab/services';
import { chiSquaredTest } from '../src/chi2.ts';
import type { Columns } from '../src/columns.ts';
import { compare } from '../src/detector.ts';
import { kstwoSf } from '../src/kolmogorov.ts';
import { ks2Sample, ksStatisticSorted, roundHalfEven } from '../src/ks.ts';
import { buildProfile, type Profile } from '../src/profile.ts';
import { driftMigrations, loadProfile, saveProfile } from '../src/profile-store.ts';
import { sortedFloat64 } from '../src/sort.ts';
import { makeWideColumns } from '../src/testing/data.ts';
import { bell, closeTo } from '../src/testing/golden.ts';
import { type LabTiming, timeLab } from './lib/lab-timing.ts';
import { ScipyKs, type ScipyRun } from './lib/scipy-ks.ts';

const quick = flag('quick');
const runs = intArg('runs', quick ? 3 : 5);

// (a) KS on 1e6 vs 1e6 ---------------------------------------------------------------------------
const N = 1_000_000;
const a = bell(1, N);
const b = bell(2, N);
const shifted = bell(3, N, 0.01);
const sortedA = sortedFloat64(a);
const sortedB = sortedFloat64(b);
let sink = 0;
const typedSort = () => {
  const x = a.slice();
  x.sort();
  const y = b.slice();
  y.sort();
  sink += x[0] + y[0];
};
const scipy = new ScipyKs([a, b, shifted]);
const scipyRuns: ScipyRun[] = [];
let scipyMissing: string | undefined;
// scipy first, each run its own process (see the header for why it is not in the race).
for (let r = 0; r < runs && !scipyMissing; r++) {
  const run = scipy.time();
  if ('missing' in run) scipyMissing = run.missing;
  else scipyRuns.push(run);
}
scipy.close();
const [ksT, ksShiftT, typedT, radixT, mergeT] = race(runs, [
  () => (sink += ks2Sample(a, b, { method: 'asymp' }).pValue),
  () => (sink += ks2Sample(a, shifted, { method: 'asymp' }).pValue),
  typedSort,
  () => (sink += sortedFloat64(a)[0] + sortedFloat64(b)[0]),
  () => (sink += ksStatisticSorted(sortedA, sortedB)),
]);
const ksNull = ks2Sample(a, b, { method: 'asymp' });
const ksShift = ks2Sample(a, shifted, { method: 'asymp' });
const scipyT = (pair: number): Timing =>
  scipyRuns.length === 0
    ? { wall: Number.NaN, cpu: Number.NaN }
    : {
        wall: median(scipyRuns.map((r) => r.pairs[pair].wall)),
        cpu: median(scipyRuns.map((r) => r.pairs[pair].cpu)),
      };
/** Ours against scipy's values for the pair: D bit for bit, p-value as the golden tests compare it. */
const agreement = (ours: { statistic: number; pValue: number }, pair: number) => {
  const ref = scipyRuns[0]?.pairs[pair];
  if (!ref) return 'not compared';
  const same = ours.statistic === ref.statistic && closeTo(ours.pValue, ref.pValue);
  return same ? "D and p as scipy's" : `DIFFERS from scipy: D ${ref.statistic}, p ${ref.pValue}`;
};
const scipyLabel = scipyRuns[0] ? `scipy ${scipyRuns[0].version}` : `scipy (not measured: ${scipyMissing})`;

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
const verdict = compare(stored, curRows);

// (c) the drift lab end to end on the embedded services, against its budgets ----------------------
const labs: LabTiming[] = flag('no-lab') || quick ? [] : [timeLab(['--quick'], 30_000), timeLab([], 120_000)];

// Output ------------------------------------------------------------------------------------------
const BUDGET_MS = 2000;
const loadPlusCompare = loadT.wall + rowsT.wall;
const labRows = labs.flatMap((l, i) => {
  const name = `pnpm lab drift ${l.args.join(' ')}`.trim();
  return [
    { label: `(c) budget: ${name}`, key: `lab-budget-${i}`, values: { wall: l.budgetMs } },
    {
      label: `    ${name} (embedded)`,
      key: `lab-${i}`,
      vs: `lab-budget-${i}`,
      values: { wall: l.ms },
      note: l.passed ? 'checks pass' : 'CHECKS FAIL',
    },
  ];
});
if (Number.isNaN(sink)) console.log('unreachable: keeps results alive');
report({
  bench: 'drift',
  title: `drift benchmark: median of ${runs} interleaved runs after warm-up (Node ${process.version})`,
  columns: [
    { key: 'wall', unit: 'ms' },
    { key: 'cpu', unit: 'ms' },
  ],
  rows: [
    {
      label: `(a) ${scipyLabel} ks_2samp asymp 1e6 vs 1e6, same dist`,
      key: 'scipy',
      values: { ...scipyT(0) },
    },
    {
      label: `    ks2Sample asymp 1e6 vs 1e6, same dist (p ${ksNull.pValue.toFixed(3)})`,
      key: 'ks',
      vs: 'scipy',
      values: { ...ksT },
      note: `target <= x1; ${agreement(ksNull, 0)}`,
    },
    {
      label: `    ${scipyLabel.split(' (')[0]} ks_2samp asymp 1e6 vs 1e6, +0.01 sd`,
      key: 'scipyShifted',
      values: { ...scipyT(1) },
    },
    {
      label: `    ks2Sample asymp 1e6 vs 1e6, +0.01 sd (p ${ksShift.pValue.toExponential(1)})`,
      key: 'ksShifted',
      vs: 'scipyShifted',
      values: { ...ksShiftT },
      note: agreement(ksShift, 1),
    },
    { label: '    where it goes: copy + typed sort of 2 x 1e6', key: 'typedSort', values: { ...typedT } },
    {
      label: '    sorted copy (radix, sort.ts) of 2 x 1e6',
      key: 'radixSort',
      vs: 'typedSort',
      values: { ...radixT },
    },
    { label: '    merge walk for D on 2 x 1e6 sorted', key: 'merge', vs: 'ks', values: { ...mergeT } },
    { label: `(b) profile save to Postgres (${backend})`, values: { wall: saveT.wall } },
    { label: `    profile load from Postgres (${backend})`, values: { wall: loadT.wall } },
    { label: '    baseline: naive compare, row objects', key: 'naive', values: { ...naiveT } },
    {
      label: `    compare ${ROWS / 1000}k rows x ${FEATURES} features (row objects)`,
      key: 'compareRows',
      vs: 'naive',
      values: { ...rowsT },
    },
    {
      label: `    compare ${ROWS / 1000}k rows x ${FEATURES} features (columns)`,
      key: 'compareColumns',
      vs: 'naive',
      values: { ...colsT },
    },
    { label: '    budget: load + compare', key: 'budget', values: { wall: BUDGET_MS } },
    {
      label: '    load + compare (row objects)',
      key: 'loadPlusCompare',
      vs: 'budget',
      values: { wall: loadPlusCompare },
    },
    ...labRows,
  ],
  notes: [`compare verdict: drifted ${JSON.stringify(verdict.driftedFeatures)}`],
  json: {
    runs,
    ks: {
      n: N,
      scipy: scipyRuns[0]?.version ?? null,
      scipyMissing: scipyMissing ?? null,
      scipyMs: scipyT(0).wall,
      ksMs: ksT.wall,
      scipyShiftedMs: scipyT(1).wall,
      shiftedKsMs: ksShiftT.wall,
      typedSortMs: typedT.wall,
      radixSortMs: radixT.wall,
      mergeMs: mergeT.wall,
      target: 1,
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
      loadPlusCompareMs: loadPlusCompare,
      budgetMs: BUDGET_MS,
    },
    lab: labs,
  },
});
