/**
 * Redis connections (ARCHITECTURE.md "Services"): an ioredis client per Services, a reachability probe that
 * fails fast instead of ioredis' default retry-forever, and per-run key cleanup by prefix.
 * Reference: ioredis README (lazyConnect, retryStrategy, scanStream), redis.io (SCAN, UNLINK).
 */
import { Redis, type RedisOptions } from 'ioredis';
import { type SourceOfUrl, unreachableError } from './postgres.ts';

/** Connects a throwaway client with no retries and PINGs; throws UNREACHABLE naming the source. */
export async function probeRedis(source: SourceOfUrl): Promise<void> {
  const probe = new Redis(source.url, {
    lazyConnect: true,
    connectTimeout: 3000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  probe.on('error', () => {}); // reported through the rejected promise below
  try {
    await probe.connect();
    await probe.ping();
  } catch (error) {
    throw unreachableError('Redis', source, error);
  } finally {
    probe.disconnect();
  }
}

export function createRedis(url: string, options: RedisOptions = {}): Redis {
  const client = new Redis(url, options);
  // Without a listener ioredis prints every reconnect error; commands still reject on their own.
  client.on('error', () => {});
  return client;
}

/** Glob-escapes a key prefix for SCAN MATCH (`*`, `?`, `[`, `]`, `\` are special). */
export function escapeGlob(text: string): string {
  return text.replace(/[*?[\]\\]/g, '\\$&');
}

/** Deletes every key starting with `prefix` (SCAN + UNLINK in batches); returns how many. */
export async function deleteByPrefix(redis: Redis, prefix: string): Promise<number> {
  let deleted = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${escapeGlob(prefix)}*`, 'COUNT', 500);
    cursor = next;
    if (keys.length > 0) deleted += await redis.unlink(...keys);
  } while (cursor !== '0');
  return deleted;
}
