/**
 * The two request-level cost levers of the server (Q31): a response cache keyed by the canonical input
 * (LRU with a TTL, from lru-cache) and de-duplication of identical in-flight requests (single flight:
 * the second caller awaits the first caller's promise). Together they also stop a cache stampede: when
 * a hot key expires, the concurrent misses join one computation instead of each reaching the model.
 * `max: Infinity` is the faulty unbounded cache the cost lab shows: nothing is ever evicted, expired
 * entries leave only when read again, so memory grows with the number of distinct inputs.
 */
import { LRUCache } from 'lru-cache';

export interface CacheOptions {
  enabled: boolean;
  /** Entries kept (LRU eviction beyond). Infinity: never evict (unbounded: a fault, not a setting). */
  max?: number;
  ttlMs?: number;
}

/** Where an answer came from: the model, the cache, or an identical request already in flight. */
export type AnswerPath = 'model' | 'cache' | 'dedup';

export interface CacheCounters {
  hit(): void;
  miss(): void;
  joined(): void;
}

/** Sorted-keys JSON: the same input in any key order gives the same cache / dedup key. */
export function canonicalKey(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalKey).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    return `{${Object.keys(o)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonicalKey(o[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

interface Store<V> {
  get(key: string): V | undefined;
  set(key: string, value: V): void;
  readonly size: number;
}

/** The unbounded variant: a Map whose entries expire only when read. */
function unboundedStore<V>(ttlMs: number): Store<V> {
  const map = new Map<string, { value: V; expires: number }>();
  return {
    get(key) {
      const e = map.get(key);
      if (e && e.expires <= performance.now()) map.delete(key);
      else return e?.value;
      return undefined;
    },
    set(key, value) {
      map.set(key, { value, expires: performance.now() + ttlMs });
    },
    get size() {
      return map.size;
    },
  };
}

export class ResponseCache<V extends object> {
  private readonly store: Store<V> | undefined;
  private readonly inflight: Map<string, Promise<V>> | undefined;

  constructor(
    cache: CacheOptions | undefined,
    dedup: boolean,
    private readonly counters: CacheCounters,
  ) {
    if (cache?.enabled) {
      const ttl = cache.ttlMs ?? 60_000;
      const max = cache.max ?? 10_000;
      this.store =
        max === Number.POSITIVE_INFINITY ? unboundedStore<V>(ttl) : new LRUCache<string, V>({ max, ttl });
    }
    this.inflight = dedup ? new Map() : undefined;
  }

  get active(): boolean {
    return this.store !== undefined || this.inflight !== undefined;
  }

  get entries(): number {
    return this.store?.size ?? 0;
  }

  /** The cached answer, else joins an identical in-flight request, else runs `compute` (and caches it). */
  async answer(key: string, compute: () => Promise<V>): Promise<{ value: V; path: AnswerPath }> {
    const hit = this.store?.get(key);
    if (hit) {
      this.counters.hit();
      return { value: hit, path: 'cache' };
    }
    if (this.store) this.counters.miss();
    const joined = this.inflight?.get(key);
    if (joined) {
      this.counters.joined();
      return { value: await joined, path: 'dedup' };
    }
    const p = compute();
    if (this.inflight) {
      this.inflight.set(key, p);
      p.catch(() => {}).finally(() => this.inflight?.delete(key));
    }
    const value = await p;
    this.store?.set(key, value);
    return { value, path: 'model' };
  }
}
