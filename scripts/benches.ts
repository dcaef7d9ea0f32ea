/**
 * The benchmarks `pnpm bench` knows (ARCHITECTURE.md "Conventions": each compares against a
 * baseline measured in the same run, and prints a table and a JSON line through benchkit's
 * `report`). A static list, as catalogue.ts is for the labs: what each measures and needs is
 * written next to it, and bench.test.ts fails for a bench file that is not listed here or an
 * entry whose file is missing.
 *
 * To add a benchmark: write `packages/<pkg>/bench/<name>.ts` (taking --quick for a fast mode) and
 * list it below.
 */
import type { BenchDefinition } from '@mlops-lab/benchkit';

export const benches: readonly BenchDefinition[] = [
  {
    name: 'payments',
    file: 'packages/benchkit/bench/payments.ts',
    title: 'payment events beside drawing the same uniforms',
    needs: [],
    options: '--size N --runs N',
  },
  {
    name: 'drift',
    file: 'packages/drift/bench/drift.ts',
    title: 'KS and compare() beside a floor and a naive one; the lab vs budget',
    needs: ['postgres'],
    options: '--runs N --no-lab',
  },
  {
    name: 'log',
    file: 'packages/monitoring/bench/log.ts',
    title: 'prediction log: appended and persisted per second, batched vs one insert per entry',
    needs: ['postgres', 'redis'],
    options: '--n N --runs N',
  },
  {
    name: 'feature-store',
    file: 'packages/feature-store/bench/feature-store.ts',
    title: 'offline and online, each in its own process',
    needs: ['postgres', 'redis'],
  },
  {
    name: 'offline',
    file: 'packages/feature-store/bench/offline.ts',
    title: 'point-in-time join, 10k to 1M feature rows, beside an oracle',
    needs: ['postgres'],
    options: '--seed N --runs N',
  },
  {
    name: 'online',
    file: 'packages/feature-store/bench/online.ts',
    title: 'reads vs PING, batch vs single reads, materialize vs HSET',
    needs: ['postgres', 'redis'],
  },
  {
    name: 'retriever',
    file: 'packages/retriever/bench/retriever.ts',
    title: 'HNSW and pgvector beside the exact scan: recall@10, QPS',
    needs: ['pgvector'],
    options: '--pg-n N --seed N',
  },
  {
    name: 'serving',
    file: 'packages/model-server/bench/serving.ts',
    title: 'first request vs steady p50, micro-batching vs batch size 1',
    needs: ['postgres'],
    options: '--seconds N',
  },
  {
    name: 'router',
    file: 'packages/router/bench/router.ts',
    title: 'the router vs direct calls; user p99 with a shadow vs without',
    needs: [],
    options: '--requests N --concurrency C',
  },
  {
    name: 'llm-serving',
    file: 'packages/llm-serving/bench/simulate.ts',
    title: 'the LLM serving simulator on 100k requests beside per-token floors',
    needs: [],
    options: '--requests N --runs N',
  },
  {
    name: 'monitoring-report',
    file: 'packages/monitoring/bench/report.ts',
    title: 'the HTML monitoring report, 100k rows x 20 features, beside one embedding the rows',
    needs: [],
    options: '--rows N --runs N',
  },
];
