/**
 * Benchmark of the offline store's point-in-time join (Q7), against the in-memory oracle timed in the
 * same run on the same data (the baseline), Feast get_historical_features semantics:
 * - headline: 100,000 entity rows against 1,000,000 feature rows of 10,000 entities, on the Postgres
 *   that @mlops-lab/services resolves (target: <= 10 s embedded PGlite, <= 3 s a real server);
 * - scaling: the same 100,000 entity rows against 10k, 100k and 1M feature rows. Each step has 10x the
 *   feature rows; an N x M join would take ~10x longer per step, an index probe per row barely more.
 * Loading (insertFeatureRows, index maintained) is timed apart from the join. Every SQL result is
 * checked equal to the oracle's, row for row.
 *
 *   pnpm bench offline [--quick] [--seed N] [--runs N]   (or: pnpm exec tsx packages/feature-store/bench/offline.ts)
 *
 * `--quick` divides every size by 10. The last line of stdout is one JSON object with the figures.
 */
import { pathToFileURL } from 'node:url';
import { flag, intArg, measure, median, ms } from '@mlops-lab/benchkit';
import { acquire } from '@mlops-lab/services';
import { getHistoricalFeatures } from '../src/offline.ts';
import { createSourceTable, insertFeatureRows } from '../src/offline-source.ts';
import { pointInTimeJoin } from '../src/oracle.ts';
import { generateHistory } from '../src/testing/history.ts';

export interface BenchOfflineOptions {
  /** Sizes divided by 10 (default false). */
  quick?: boolean;
  seed?: number;
  /** Timed joins per size after one warm-up (default 3); medians are reported. */
  runs?: number;
  /** Where the table goes (default stdout); the JSON line is not written here, it is returned. */
  log?: (line: string) => void;
}

export interface ScalingStep {
  featureRows: number;
  loadMs: number;
  joinMs: number;
  oracleMs: number;
  /** joinMs / oracleMs: what the database costs over a join in memory. */
  sqlOverOracle: number;
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
  sqlOverOracle: number;
  /** The same join with createdBeforeEntity (backfill cut), largest size. */
  joinCreatedBeforeMs: number;
  targetMs: number;
  withinTarget: boolean;
  matchedShare: number;
  scaling: ScalingStep[];
}

async function wall(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

export async function benchOffline(options: BenchOfflineOptions = {}): Promise<BenchOfflineResult> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
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
    log('');
    log('feature rows      load (SQL)   join (SQL)   oracle       SQL/oracle  step ratio  mismatches');
    const scaling: ScalingStep[] = [];
    let joinCreatedBeforeMs = Number.NaN;
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
        sqlOverOracle: joinMs / oracleMs,
        stepRatio: prev ? joinMs / prev.joinMs : null,
        mismatches,
      };
      scaling.push(step);
      log(
        `${size.toLocaleString('en').padStart(12)}  ${ms(loadMs)}  ${ms(joinMs)}  ${ms(oracleMs)}  ${`x${step.sqlOverOracle.toFixed(1)}`.padStart(10)}  ${(step.stepRatio === null ? '-' : `x${step.stepRatio.toFixed(2)}`).padStart(10)}  ${String(mismatches).padStart(10)}`,
      );
      if (size === sizes.at(-1)) {
        const cut = { ...request, createdBeforeEntity: true };
        await getHistoricalFeatures(pg, cut);
        const times: number[] = [];
        for (let r = 0; r < runs; r++) times.push(await wall(() => getHistoricalFeatures(pg, cut)));
        joinCreatedBeforeMs = median(times);
      }
      await pg.query(`DROP TABLE ${view.source.table}`);
    }
    const last = scaling.at(-1) as ScalingStep;
    const targetMs = info?.kind === 'embedded' ? 10_000 : 3_000;
    log('');
    log(`same join with createdBeforeEntity (backfill cut): ${ms(joinCreatedBeforeMs).trim()}`);
    log(
      `headline: ${entityRows.toLocaleString('en')} x ${last.featureRows.toLocaleString('en')} in ${ms(last.joinMs).trim()} ` +
        `(target ${targetMs / 1000} s on ${info?.kind === 'embedded' ? 'embedded' : 'a real server'}${quick ? ', quick sizes' : ''}); ` +
        `${(matchedShare * 100).toFixed(1)}% of entity rows found a value; step ratios ${scaling
          .slice(1)
          .map((s) => `x${s.stepRatio?.toFixed(2)}`)
          .join(', ')} for x10 feature rows`,
    );
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
      sqlOverOracle: last.sqlOverOracle,
      joinCreatedBeforeMs,
      targetMs,
      withinTarget: last.joinMs <= targetMs,
      matchedShare,
      scaling,
    };
  } finally {
    await services.close();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await benchOffline({
    quick: flag('quick'),
    seed: intArg('seed', 1),
    runs: intArg('runs', 3),
  });
  const round = (_: string, v: unknown) =>
    typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 100) / 100 : v;
  process.stdout.write(`${JSON.stringify(result, round)}\n`);
  if (result.scaling.some((s) => s.mismatches > 0)) process.exitCode = 1;
}
