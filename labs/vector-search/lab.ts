/**
 * Lab `vector-search` (Q21, Q22): when does a vector index pay? The exact scan, an HNSW graph and a
 * pgvector table over the same seeded clustered vectors at growing corpus sizes: recall@10 against
 * the exact scan, QPS, build time, the query count at which building the graph has paid for itself,
 * bytes per vector; then a selective metadata filter that starves a post-filtered search, and the
 * in-index fix. Reference: ann-benchmarks' recall@k; hnswlib and pgvector's HNSW docs.
 */
import { type Check, check, fmt, type LabDefinition } from '@mlops-lab/labkit';
import { ExactRetriever, HNSW_DEFAULTS, type SearchHit } from '@mlops-lab/retriever';
import { BREAKS, CHECK, configFor } from './breaks.ts';
import { mean, measureSize, overlap, type SizeResult } from './measure.ts';
import { measurePgvector } from './pgvector.ts';
import { buildWorld, DIM, K, QUERIES, SIZES, stored } from './world.ts';

const RECALL_MIN = 0.95;
const SPEEDUP_MIN = 2;
const METRIC_MIN = 0.9;
/** Filtered queries, run at the largest size. */
const FILTERED_QUERIES = 50;

const speedUp = (r: SizeResult) => fmt.ratio(r.hnswQps / r.exactQps);
const paysAfter = (r: SizeResult) => (r.crossover === null ? 'never' : `${fmt.count(r.crossover)} queries`);

const lab: LabDefinition = {
  name: 'vector-search',
  title: 'Exact scan, HNSW or pgvector: recall, QPS, the crossover, filtered search',
  questions: [21, 22],
  needs: ['postgres'], // pgvector when the server has it: see pgvector.ts for why not ['pgvector']
  breaks: BREAKS,
  async run({ quick, seed, fault, services, out }) {
    const config = configFor(fault);
    const sizes = quick ? SIZES.quick : SIZES.full;
    const world = buildWorld(seed, sizes.at(-1)!, quick ? QUERIES.quick : QUERIES.full);
    const rare = world.points.filter((p) => p.tenant === 'rare').length;
    out.step('Generate clustered vectors (40 clusters) and queries from the same clusters');
    out.say(
      `${world.points.length} vectors x ${DIM} dims, ${world.queries.length} queries, k = ${K}; ` +
        `${rare} points (${fmt.pct(rare / world.points.length)}) belong to tenant "rare"`,
    );

    const results: SizeResult[] = [];
    for (const n of sizes) {
      const r = await out.step(
        `n = ${fmt.num(n)}: build the exact scan and HNSW, run every query on both`,
        () => measureSize(world, n, config, seed, (text) => out.status(text)),
      );
      results.push(r);
      // Each size's figures as soon as they are measured; the table below lines them up.
      out.say(
        `exact ${r.exactQps.toFixed(0)} QPS, HNSW ${r.hnswQps.toFixed(0)} QPS (${speedUp(r)}), ` +
          `recall@10 ${r.recall.toFixed(3)}, HNSW build ${fmt.ms(r.hnswBuildMs)}, pays after ${paysAfter(r)}`,
      );
    }
    out.step('Exact scan or HNSW, size by size');
    out.table(
      [
        'n',
        'exact QPS',
        'HNSW QPS',
        'speed-up',
        'HNSW recall@10',
        'HNSW build',
        'pays after',
        'bytes/vector HNSW',
      ],
      results.map((r) => [
        fmt.num(r.n),
        r.exactQps.toFixed(0),
        r.hnswQps.toFixed(0),
        speedUp(r),
        r.recall.toFixed(3),
        fmt.ms(r.hnswBuildMs),
        paysAfter(r),
        r.hnswBytesPerVector.toFixed(0),
      ]),
    );
    const { M } = HNSW_DEFAULTS;
    out.say(
      `the exact scan stores ${DIM * 4} bytes per vector (one float32 row); HNSW adds its graph links: ` +
        `up to 2·M = ${2 * M} neighbour ids of 4 bytes (${2 * M * 4} bytes) per node on layer 0 (M = ${M}), ` +
        'and a few more on the sparse upper layers. The scan costs O(n) per query, HNSW about O(log n): ' +
        'below a few thousand vectors the scan is fast enough and needs no build, no tuning, no recall loss.',
    );
    out.pointer('packages/retriever/src/hnsw.ts', 'efSearch, the id map, filtered-search widening');
    out.pointer(
      'packages/retriever/src/exact.ts',
      'the baseline and ground truth: a scan with a bounded heap',
    );

    const pg = await out.step(`pgvector on this Postgres, n = ${fmt.num(sizes[0])}`, () =>
      measurePgvector(services, world, sizes[0], config, out),
    );
    if (pg) {
      out.table(
        ['pgvector', 'load (rows + HNSW index)', 'QPS', 'recall@10', 'bytes/vector (table + indexes)'],
        [
          [
            pg.version,
            fmt.ms(pg.loadMs),
            pg.qps.toFixed(0),
            pg.recall.toFixed(3),
            pg.bytesPerVector.toFixed(0),
          ],
        ],
      );
      out.say(
        "pgvector's QPS includes a round trip and a transaction per query; on PGlite (Postgres in WebAssembly) " +
          'it is not the speed of a native server. What it buys is one system: vectors next to the rows they describe.',
      );
      out.pointer('packages/retriever/src/pgvector.ts', 'SET LOCAL hnsw.ef_search and the iterative scan');
    }

    const largest = results.at(-1)!;
    const meta = new Map(world.points.map((p) => [p.id, p.tenant]));
    const rareExact = new ExactRetriever({ dim: DIM, space: config.space });
    for (const p of world.points)
      if (p.tenant === 'rare') rareExact.add(p.id, stored(p, config.unnormalized));
    const filtered = await out.step(
      `Filtered search at n = ${fmt.num(largest.n)}: tenant = "rare", k = ${K}`,
      async () =>
        world.queries.slice(0, FILTERED_QUERIES).map((q) => {
          const got: SearchHit[] = config.postFilter
            ? largest.hnsw.search(q, K).filter((h) => meta.get(h.id) === 'rare') // filter after top-k
            : largest.hnsw.search(q, K, { tenant: 'rare' }); // filter inside the graph walk
          return { got, truth: rareExact.search(q, K) };
        }),
    );
    const returned = filtered.map((f) => f.got.length);
    const full = returned.filter((c) => c === K).length;
    out.table(
      ['search', 'queries', 'mean results', 'queries with k results', 'recall vs exact filtered'],
      [
        [
          // One label whichever way the filter runs: a mystery run must not name its fault.
          `HNSW (n = ${fmt.num(largest.n)})`,
          filtered.length,
          mean(returned).toFixed(1),
          full,
          mean(filtered.map((f) => overlap(f.got, f.truth))).toFixed(3),
        ],
        ...(pg
          ? [
              [
                `pgvector (n = ${fmt.num(sizes[0])}, ${pg.matching} match)`,
                50,
                pg.filteredReturned.toFixed(1),
                '-',
                '-',
              ],
            ]
          : []),
      ],
    );

    const worstRecall = results.reduce((a, r) => (r.recall < a.recall ? r : a));
    const worstMetric = results.reduce((a, r) => (r.metricAgreement < a.metricAgreement ? r : a));
    const speedup = largest.hnswQps / largest.exactQps;
    const checks: Check[] = [
      check(
        CHECK.recall,
        worstRecall.recall >= RECALL_MIN,
        `lowest ${worstRecall.recall.toFixed(3)} at n = ${fmt.num(worstRecall.n)}`,
      ),
      check(
        CHECK.faster,
        speedup >= SPEEDUP_MIN,
        `${largest.hnswQps.toFixed(0)} vs ${largest.exactQps.toFixed(0)} QPS at n = ${fmt.num(largest.n)}: ${speedup.toFixed(1)}x`,
      ),
      check(
        CHECK.metric,
        worstMetric.metricAgreement >= METRIC_MIN,
        `the exact top ${K} in the index's space shares ${fmt.pct(worstMetric.metricAgreement)} with exact cosine at n = ${fmt.num(worstMetric.n)}`,
      ),
      check(
        CHECK.filtered,
        full === filtered.length,
        `${full} of ${filtered.length} queries got ${K} results`,
      ),
    ];
    return {
      checks,
      metrics: {
        largestN: largest.n,
        hnswRecallMin: worstRecall.recall,
        hnswSpeedupLargest: speedup,
        crossoverQueriesLargest: largest.crossover,
        hnswBytesPerVector: largest.hnswBytesPerVector,
        metricAgreementMin: worstMetric.metricAgreement,
        filteredMeanResults: mean(returned),
        pgvectorRecall: pg?.recall ?? null,
        pgvectorQps: pg?.qps ?? null,
      },
    };
  },
};

export default lab;
