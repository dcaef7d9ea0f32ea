/**
 * Benchmark of the offline store's point-in-time join (Q7), against the in-memory oracle timed in the
 * same run on the same data (the baseline), Feast get_historical_features semantics:
 * - headline: 100,000 entity rows against 1,000,000 feature rows of 10,000 entities, on the Postgres
 *   that @mlops-lab/services resolves (target: <= 10 s embedded PGlite, <= 3 s a real server);
 * - scaling: the same 100,000 entity rows against 10k, 100k and 1M feature rows. Each step has 10x the
 *   feature rows; an N x M join would take ~10x longer per step, an index probe per row barely more.
 * - outside baseline: DuckDB's ASOF JOIN on the same data at the largest size (bench/lib/duckdb-asof.ts),
 *   our join's time over DuckDB's printed as a ratio (against DuckDB with its default threads, and with
 *   one thread, as PGlite runs), and both results compared by the rows matched and a checksum over
 *   every row.
 * Loading (insertFeatureRows, index maintained) is timed apart from the join. Every SQL result is
 * checked equal to the oracle's, row for row.
 *
 *   pnpm bench offline [--quick] [--seed N] [--runs N]   (or: pnpm exec tsx packages/feature-store/bench/offline.ts)
 *
 * `--quick` divides every size by 10. stdout: the table (each SQL join beside the oracle on the same
 * data), then one JSON line with the figures; progress goes to stderr.
 */
import { pathToFileURL } from 'node:url';
import { flag, intArg, measure, median, num, type Row, report } from '@mlops-lab/benchkit';
import { acquire } from '@mlops-lab/services';
import { getHistoricalFeatures } from '../src/offline.ts';
import { createSourceTable, insertFeatureRows } from '../src/offline-source.ts';
import { pointInTimeJoin } from '../src/oracle.ts';
import { generateHistory } from '../src/testing/history.ts';
import { checksum, duckdbAsof, type JoinedRow } from './lib/duckdb-asof.ts';

export interface BenchOfflineOptions {
  /** Sizes divided by 10 (default false). */
  quick?: boolean;
  seed?: number;
  /** Timed joins per size after one warm-up (default 3); medians are reported. */
  runs?: number;
  /** Where progress lines go (default stderr); the figures are returned. */
  log?: (line: string) => void;
}

export interface ScalingStep {
  featureRows: number;
  loadMs: number;
  joinMs: number;
  oracleMs: number;
  /** joinMs / previous step's joinMs, for 10x the feature rows (null on the first step). */
  stepRatio: number | null;
  /** Entity rows whose joined values differ from the oracle's (must be 0). */
  mismatches: number;
}

export interface BenchOfflineResult {
  bench: 'feature-store/offline';
  backend: string;
  quick: boolean;
  entities: number;
  entityRows: number;
  featureRows: number;
  loadMs: number;
  joinMs: number;
  oracleMs: number;
  /** The same join with createdBeforeEntity (backfill cut), largest size. */
  joinCreatedBeforeMs: number;
  targetMs: number;
  withinTarget: boolean;
  matchedShare: number;
  scaling: ScalingStep[];
  /** DuckDB's ASOF JOIN on the largest size's data, and whether it returned the same rows as ours. */
  duckdb: {
    version: string;
    threads: number;
    loadMs: number;
    joinMs: number;
    joinMsOneThread: number;
    matched: number;
    checksum: string;
    oursMatched: number;
    oursChecksum: string;
    same: boolean;
  };
}

async function wall(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function benchOffline(options: BenchOfflineOptions = {}): Promise<BenchOfflineResult> {
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const quick = options.quick === true;
  const seed = options.seed ?? 1;
  const runs = options.runs ?? 3;
  const scale = quick ? 10 : 1;
  const entities = 10_000 / scale;
  const entityRows = 100_000 / scale;
  const sizes = [10_000, 100_000, 1_000_000].map((n) => n / scale);

  const services = await acquire({
    needs: ['postgres'],
    namespace: 'fs-bench',
    ephemeral: true,
    log: () => {},
  });
  try {
    const pg = services.pg;
    const info = services.backends.postgres;
    const backend = info?.kind === 'embedded' ? 'embedded PGlite' : `${info?.kind} ${info?.url}`;
    log(
      `postgres: ${backend}; ${entityRows.toLocaleString('en')} entity rows, ${entities.toLocaleString('en')} entities, runs ${runs}`,
    );
    const scaling: ScalingStep[] = [];
    let joinCreatedBeforeMs = Number.NaN;
    let duckdb: BenchOfflineResult['duckdb'] | undefined;
    let matchedShare = 0;
    for (const size of sizes) {
      const history = generateHistory(seed, `history_${size}`, { entities, featureRows: size, entityRows });
      const { view } = history;
      await createSourceTable(pg, view);
      const loadMs = await wall(() => insertFeatureRows(pg, view, history.featureRows));
      const request = { view, entityRows: history.entityRows };
      let sql = await getHistoricalFeatures(pg, request); // warm-up: plan, caches
      const joins: number[] = [];
      for (let r = 0; r < runs; r++)
        joins.push(await wall(async () => (sql = await getHistoricalFeatures(pg, request))));
      let oracle = pointInTimeJoin(history.entityRows, history.featureRows, {
        ttlMs: view.ttlMs ?? undefined,
      });
      const oracleMs = median(
        Array.from(
          { length: runs },
          () =>
            measure(() => {
              oracle = pointInTimeJoin(history.entityRows, history.featureRows, {
                ttlMs: view.ttlMs ?? undefined,
              });
            }).wall,
        ),
      );
      let mismatches = 0;
      let matched = 0;
      oracle.forEach((o, i) => {
        const got = sql[i].eventTimestamps[view.name] === null ? null : sql[i].values;
        if (o.values) matched++;
        if (JSON.stringify(got) !== JSON.stringify(o.values)) mismatches++;
      });
      matchedShare = matched / oracle.length;
      const joinMs = median(joins);
      const prev = scaling.at(-1);
      const step: ScalingStep = {
        featureRows: size,
        loadMs,
        joinMs,
        oracleMs,
        stepRatio: prev ? joinMs / prev.joinMs : null,
        mismatches,
      };
      scaling.push(step);
      log(`${size.toLocaleString('en')} feature rows: join ${num(joinMs)} ms, ${mismatches} mismatches`);
      if (size === sizes.at(-1)) {
        const cut = { ...request, createdBeforeEntity: true };
        await getHistoricalFeatures(pg, cut);
        const times: number[] = [];
        for (let r = 0; r < runs; r++) times.push(await wall(() => getHistoricalFeatures(pg, cut)));
        joinCreatedBeforeMs = median(times);
        log('DuckDB ASOF JOIN on the same data');
        const duck = await duckdbAsof(history, view.ttlMs ?? Number.POSITIVE_INFINITY, runs);
        const ours: JoinedRow[] = sql.map((row) => {
          const event = row.eventTimestamps[view.name];
          const v = row.values as {
            amount_7d: number | null;
            txn_count_7d: number | null;
            segment: string | null;
          };
          return event === null
            ? { event: null, amount: null, txns: null, segment: null }
            : { event, amount: v.amount_7d, txns: v.txn_count_7d, segment: v.segment };
        });
        const [a, b] = [checksum(ours), checksum(duck.rows)];
        duckdb = {
          version: duck.version,
          threads: duck.threads,
          loadMs: duck.loadMs,
          joinMs: duck.joinMs,
          joinMsOneThread: duck.joinMsOneThread,
          matched: b.matched,
          checksum: b.hash,
          oursMatched: a.matched,
          oursChecksum: a.hash,
          same: a.matched === b.matched && a.hash === b.hash && ours.length === duck.rows.length,
        };
      }
      await pg.query(`DROP TABLE ${view.source.table}`);
    }
    const last = scaling.at(-1) as ScalingStep;
    const targetMs = info?.kind === 'embedded' ? 10_000 : 3_000;
    return {
      bench: 'feature-store/offline',
      backend,
      quick,
      entities,
      entityRows,
      featureRows: last.featureRows,
      loadMs: last.loadMs,
      joinMs: last.joinMs,
      oracleMs: last.oracleMs,
      joinCreatedBeforeMs,
      targetMs,
      withinTarget: last.joinMs <= targetMs,
      matchedShare,
      scaling,
      duckdb: duckdb as NonNullable<typeof duckdb>,
    };
  } finally {
    await services.close();
  }
}

/** The table: each size's SQL join beside the oracle on the same data, the headline under it. */
function print(r: BenchOfflineResult): void {
  const rows = (n: number) => `${n.toLocaleString('en')} feature rows`;
  const { bench, ...figures } = r;
  report({
    bench,
    title:
      `offline store benchmark: postgres ${r.backend}; ${r.entityRows.toLocaleString('en')} entity rows, ` +
      `${r.entities.toLocaleString('en')} entities${r.quick ? ' (--quick: sizes / 10)' : ''}`,
    columns: [
      { key: 'load', label: 'load (SQL)', unit: 'ms' },
      { key: 'join', unit: 'ms' },
      { key: 'mismatches', digits: 0 },
    ],
    ratioOn: ['join'],
    rows: r.scaling
      .flatMap((s): Row[] => [
        {
          label: `oracle, ${rows(s.featureRows)}`,
          key: `oracle-${s.featureRows}`,
          values: { join: s.oracleMs },
        },
        {
          label: `SQL, ${rows(s.featureRows)}`,
          key: `sql-${s.featureRows}`,
          vs: `oracle-${s.featureRows}`,
          values: { load: s.loadMs, join: s.joinMs, mismatches: s.mismatches },
          // The scaling claim: 10x the feature rows should cost an index probe more, not 10x.
          note: s.stepRatio === null ? '' : `x${num(s.stepRatio)} the join of 10x fewer feature rows`,
        },
      ])
      .concat([
        {
          label: `DuckDB ${r.duckdb.version} ASOF JOIN (${r.duckdb.threads} threads), ${rows(r.featureRows)}`,
          key: 'duckdb',
          values: { load: r.duckdb.loadMs, join: r.duckdb.joinMs },
        },
        {
          label: `SQL on ${r.backend}, ${rows(r.featureRows)}`,
          key: 'sql-vs-duckdb',
          vs: 'duckdb',
          values: { join: r.joinMs },
          note: r.duckdb.same
            ? `same rows: ${r.duckdb.matched.toLocaleString('en')} matched, checksum ${r.duckdb.checksum}`
            : `ROWS DIFFER: DuckDB ${r.duckdb.matched} matched (${r.duckdb.checksum}), ours ${r.duckdb.oursMatched} (${r.duckdb.oursChecksum})`,
        },
        {
          label: 'DuckDB ASOF JOIN, 1 thread (PGlite runs on one)',
          key: 'duckdb-1',
          values: { join: r.duckdb.joinMsOneThread },
        },
        {
          label: `SQL on ${r.backend}, same join`,
          key: 'sql-vs-duckdb-1',
          vs: 'duckdb-1',
          values: { join: r.joinMs },
        },
      ]),
    notes: [
      `same join with createdBeforeEntity (backfill cut): ${num(r.joinCreatedBeforeMs)} ms`,
      `headline: ${r.entityRows.toLocaleString('en')} x ${r.featureRows.toLocaleString('en')} in ${num(r.joinMs)} ms ` +
        `(target ${r.targetMs / 1000} s${r.quick ? ', quick sizes' : ''}); ` +
        `${(r.matchedShare * 100).toFixed(1)}% of entity rows found a value`,
    ],
    json: figures,
  });
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchOffline({
    quick: flag('quick'),
    seed: intArg('seed', 1),
    runs: intArg('runs', 3),
  });
  print(result);
  if (result.scaling.some((s) => s.mismatches > 0) || !result.duckdb.same) process.exitCode = 1;
}
