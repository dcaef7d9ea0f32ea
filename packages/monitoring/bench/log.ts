/**
 * Benchmark of the prediction log (Q26, Q35): predictions per second appended (in the Redis Stream)
 * and persisted (rows in Postgres, the stream empty again) by PredictionLog, batched as it runs in
 * production (pipelined XADD of 500, one INSERT ... unnest of up to 1,000 rows, one XACK + XDEL
 * pipeline per batch) against the same log with batching off: one XADD round trip per entry and one
 * INSERT, one XACK + XDEL per entry (producer and consumer batch 1). Same records, same services,
 * same process; the two are interleaved, and each figure is the median over the runs.
 *
 *   pnpm bench log [--quick] [--n N] [--runs N]   (or: pnpm exec tsx packages/monitoring/bench/log.ts)
 *   --quick: 2,000 predictions, 1 run.
 *
 * Postgres and Redis come from @mlops-lab/services (DATABASE_URL / REDIS_URL, Docker, else embedded).
 */
import { flag, intArg, median, report } from '@mlops-lab/benchkit';
import { acquire } from '@mlops-lab/services';
import { records } from '../src/fixtures/records.ts';
import { PredictionLog } from '../src/log.ts';

const quick = flag('quick');
const n = intArg('n', quick ? 2000 : 5000);
const runs = intArg('runs', quick ? 1 : 3);

interface Variant {
  key: string;
  label: string;
  producerBatch: number;
  consumerBatch: number;
}

const variants: Variant[] = [
  {
    key: 'single',
    label: 'one XADD, one INSERT, one XACK per entry',
    producerBatch: 1,
    consumerBatch: 1,
  },
  {
    key: 'batched',
    label: 'batched: XADD pipelined by 500, INSERT of <= 1000 rows',
    producerBatch: 500,
    consumerBatch: 1000,
  },
];

const services = await acquire({
  needs: ['postgres', 'redis'],
  namespace: 'monitoring-bench',
  ephemeral: true,
  log: () => {},
});

interface Run {
  appendedPerS: number;
  persistedPerS: number;
  ms: number;
}

/** Appends n records at once (as a burst of traffic would), then times the stream and Postgres catching up. */
async function once(v: Variant, run: number): Promise<Run> {
  const log = await PredictionLog.open(services, {
    stream: services.key(`bench-${v.key}-${run}`),
    consumer: `bench-${v.key}`,
    batch: v.consumerBatch,
    producer: { batch: v.producerBatch, flushEveryMs: 1, maxBuffered: n },
  });
  try {
    const rs = records(`${v.key}-${run}`, n);
    const t0 = performance.now();
    for (const r of rs) if (!log.append(r)) throw new Error('bench: a record was dropped');
    await log.producer.flush();
    const appendedMs = performance.now() - t0;
    await log.persisted(600_000);
    const ms = performance.now() - t0;
    const { producer, consumer } = log.stats();
    if (producer.appended !== n || consumer.persisted !== n || consumer.duplicates !== 0)
      throw new Error(`bench: ${producer.appended} appended, ${consumer.persisted} persisted of ${n}`);
    return { appendedPerS: (1000 * n) / appendedMs, persistedPerS: (1000 * n) / ms, ms };
  } finally {
    await log.close();
  }
}

const results = new Map<string, Run[]>(variants.map((v) => [v.key, []]));
try {
  await once(variants[1], -1); // warm-up: connections, JIT, the table's first pages
  for (let run = 0; run < runs; run++) for (const v of variants) results.get(v.key)!.push(await once(v, run));
} finally {
  await services.close();
}

const med = (key: string, f: (r: Run) => number) => median(results.get(key)!.map(f));
const backends = `${services.backends.postgres?.kind ?? '?'} Postgres, ${services.backends.redis?.kind ?? '?'} Redis`;
report({
  bench: 'log',
  title: `prediction log: ${n} predictions appended in one burst, median of ${runs} interleaved runs (${backends}, Node ${process.version})`,
  columns: [
    { key: 'appended', label: 'appended', unit: '/s' },
    { key: 'persisted', label: 'persisted', unit: '/s' },
    { key: 'ms', label: 'until persisted', unit: 'ms' },
  ],
  ratioOn: ['appended', 'persisted'],
  rows: variants.map((v) => ({
    label: v.label,
    key: v.key,
    vs: v.key === 'single' ? undefined : 'single',
    values: {
      appended: med(v.key, (r) => r.appendedPerS),
      persisted: med(v.key, (r) => r.persistedPerS),
      ms: med(v.key, (r) => r.ms),
    },
  })),
  notes: [
    'appended: records in the Redis Stream per second; persisted: rows in Postgres and the stream empty, per second, from the first append',
    'every run checks its counts: n appended, n persisted, 0 duplicates, 0 dropped',
  ],
  json: {
    n,
    runs,
    perRun: Object.fromEntries(results),
  },
});
