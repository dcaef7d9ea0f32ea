/**
 * Latency of the three ways to get a customer's features at request time (Q8, Q9): the online store
 * (Redis hash, precomputed), the offline store (the point-in-time SQL join for one row), and no
 * feature store at all (an aggregate over raw payments in Postgres). Each is timed on the same
 * customers, sequentially, as one request would.
 */
import { quantile } from '@mlops-lab/evaluation';
import { getHistoricalFeatures, getOnlineFeatures } from '@mlops-lab/feature-store';
import { customerActivityView } from '@mlops-lab/payments';
import type { Services } from '@mlops-lab/services';
import { DAY_MS } from './world.ts';

export interface Latency {
  p50: number;
  p99: number;
  n: number;
}

/** Nearest-rank quantiles (numpy's inverted_cdf): latencies some read really took. */
function percentiles(samples: number[]): Latency {
  const at = (q: number) => quantile(samples, q, { method: 'inverted_cdf' });
  return { p50: at(0.5), p99: at(0.99), n: samples.length };
}

async function timeEach(customers: string[], fn: (customer: string) => Promise<unknown>): Promise<Latency> {
  await fn(customers[0]); // warm the connection and the statement plan
  const samples: number[] = [];
  for (const c of customers) {
    const t0 = performance.now();
    await fn(c);
    samples.push(performance.now() - t0);
  }
  return percentiles(samples);
}

export async function measureReads(services: Services, customers: string[], now: number, clockSkewMs = 0) {
  const online = await timeEach(customers, (c) =>
    getOnlineFeatures(services, customerActivityView, [{ customer_id: c }], { now: now + clockSkewMs }),
  );
  const offline = await timeEach(customers.slice(0, Math.ceil(customers.length / 4)), (c) =>
    getHistoricalFeatures(services.pg, {
      view: customerActivityView,
      entityRows: [{ keys: { customer_id: c }, timestamp: now }],
    }),
  );
  const direct = await timeEach(customers.slice(0, Math.ceil(customers.length / 2)), (c) =>
    services.pg.query(
      `SELECT count(*) AS txn_count_7d, avg(amount) AS avg_amount_7d FROM payments
       WHERE customer_id = $1 AND ts > to_timestamp($2 / 1000.0) AND ts <= to_timestamp($3 / 1000.0)`,
      [c, now - 7 * DAY_MS, now],
    ),
  );
  const batchKeys = customers.map((c) => ({ customer_id: c }));
  const t0 = performance.now();
  await getOnlineFeatures(services, customerActivityView, batchKeys, { now });
  const batchMs = performance.now() - t0;
  return { online, offline, direct, batchMs, batchSize: batchKeys.length };
}

/** Redis memory the view's hashes take (MEMORY USAGE over a sample, scaled to every key). */
export async function onlineMemoryBytes(services: Services, keys: number): Promise<number> {
  const sample: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await services.redis.scan(cursor, 'MATCH', `${services.key('fs:')}*`, 'COUNT', 500);
    sample.push(...batch);
    cursor = next;
  } while (cursor !== '0' && sample.length < 200);
  if (sample.length === 0) return 0;
  let total = 0;
  for (const k of sample.slice(0, 200)) total += Number(await services.redis.call('MEMORY', 'USAGE', k)) || 0;
  return (total / Math.min(sample.length, 200)) * keys;
}
