/**
 * The cost lab's workloads (Q31): request bodies with the repetition real traffic has. A Zipf-like
 * popularity over a pool of distinct payments (a few are asked for again and again: retries, polling
 * clients, the same merchant checkout), plus a share of one-off bodies no cache can help with. The
 * repetition is measured from the workload itself, so the lab knows what a cache could at best do.
 */
import { createRng } from '@mlops-lab/datagen';
import { canonicalKey } from '@mlops-lab/model-server';
import { paymentBodies } from '@mlops-lab/payments';

export interface WorkloadSpec {
  requests: number;
  /** Distinct bodies that repeat, with popularity ~ 1 / rank^zipfS. */
  pool: number;
  zipfS: number;
  /** Fraction of requests that are one-off bodies (seen once). */
  uniqueShare: number;
}

export interface Workload {
  /** JSON bodies in the order they are sent. */
  bodies: string[];
  requests: number;
  /** Distinct inputs by the server's own cache key (sorted-keys JSON). */
  distinct: number;
  /** Requests whose input was already seen earlier: the most a cache (or dedup) can answer. */
  repeats: number;
  /** Share of requests that go to the most popular body. */
  topShare: number;
}

function summarize(bodies: Record<string, unknown>[]): Workload {
  const counts = new Map<string, number>();
  for (const b of bodies) {
    const k = canonicalKey(b);
    counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const top = Math.max(...counts.values());
  return {
    bodies: bodies.map((b) => JSON.stringify(b)),
    requests: bodies.length,
    distinct: counts.size,
    repeats: bodies.length - counts.size,
    topShare: top / bodies.length,
  };
}

/** The repeated workload: seeded, so every configuration (and every run with the seed) sends the same. */
export function repeatedWorkload(seed: number, spec: WorkloadSpec): Workload {
  const rng = createRng(seed);
  const pool = paymentBodies(seed, spec.pool);
  const weights = pool.map((_, r) => 1 / (r + 1) ** spec.zipfS);
  const oneOff = paymentBodies(seed + 7919, Math.ceil(spec.requests * spec.uniqueShare) + 1);
  let nextOneOff = 0;
  const bodies = Array.from({ length: spec.requests }, () =>
    rng.next() < spec.uniqueShare ? oneOff[nextOneOff++ % oneOff.length] : pool[rng.pick(weights)],
  );
  return summarize(bodies);
}

/** High cardinality: every body different (amounts are continuous), as a scraper or a bug would send. */
export function uniqueWorkload(seed: number, requests: number): Workload {
  return summarize(paymentBodies(seed + 104_729, requests));
}

/** The hot key of the expiry burst: one body, `copies` times. */
export function hotKeyBurst(seed: number, copies: number): { body: string; key: string; bodies: string[] } {
  const [hot] = paymentBodies(seed + 31, 1);
  const body = JSON.stringify(hot);
  return { body, key: canonicalKey(hot), bodies: Array.from({ length: copies }, () => body) };
}
