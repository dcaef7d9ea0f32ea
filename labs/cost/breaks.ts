/**
 * The cost lab's checks and faults (Q31): both faults are settings of the production serving config
 * that look like harmless tuning and only show under the right traffic: a hot key expiring under
 * concurrency, and a stream of inputs that never repeat.
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const CHECK = {
  onceEach: 'all levers on: each distinct input reaches the model once',
  hitRate: 'cache alone answers what the workload repeats (>= 90% of the bound)',
  batching: 'micro-batching puts several rows in each model call under concurrency',
  stampede: 'a hot key that expires under concurrent load reaches the model once per expiry',
  bounded: 'cache entries stay within the configured bound on high-cardinality traffic',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'cache-stampede',
    symptom: 'each time the hot key expires, dozens of identical requests reach the model at once',
    hint: 'compare the dedup joins of the configurations; what happens between a miss and the cache fill?',
    explanation:
      'The production config turns single-flight (request de-duplication) off, to "simplify" the ' +
      'server. The cache still works between expiries, but when a hot key expires every request for it ' +
      'that arrives before the first recomputation finishes misses too, and each one reaches the model: ' +
      'a burst of identical work exactly when load is highest (a cache stampede, or thundering herd). ' +
      'The same happens on a cold start for every popular input. With single-flight, concurrent misses ' +
      'for one key join the one computation in flight. Other remedies: early (probabilistic) refresh ' +
      'before expiry, or jittered TTLs so hot keys do not all expire together (Q31).',
    flips: [CHECK.onceEach, CHECK.stampede],
  },
  {
    name: 'unbounded-cache',
    symptom: 'under high-cardinality traffic the cache keeps growing, and the heap with it',
    hint: 'read model_server_cache_entries against the configured max; is anything ever evicted?',
    explanation:
      'The production cache is configured with max: Infinity ("memory is cheap, more hits"). With ' +
      'repeated traffic that looks fine, but a stream of inputs that never repeat (continuous amounts, ' +
      'a scraper, a client adding a timestamp to the body) inserts one entry per request, none is ever ' +
      'evicted, and expired entries leave only if the same key is read again. Memory grows with the ' +
      'number of distinct inputs until the process is killed, while the hit rate on that traffic is 0. ' +
      'Bound the cache by entries or bytes (LRU), and key it on the fields the model reads (Q31).',
    flips: [CHECK.bounded],
  },
];
