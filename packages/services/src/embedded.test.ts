/**
 * Integration: the embedded path (PGlite + pgvector over pglite-socket, redis-server from PATH) with
 * no env URLs and Docker skipped. Ephemeral (in-memory) PGlite, so nothing touches .data/pglite.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dockerEngineAnswers } from './docker.ts';
import { pingRedis } from './embedded-redis.ts';
import { isServiceError } from './errors.ts';
import { acquire, type ServicesWithExtras } from './services.ts';

const engineAnswers = await dockerEngineAnswers();

delete process.env.DATABASE_URL;
delete process.env.REDIS_URL;
process.env.MLOPS_LAB_NO_DOCKER = '1';

describe('embedded postgres + pgvector + redis', () => {
  let services: ServicesWithExtras;
  const lines: string[] = [];

  beforeAll(async () => {
    services = await acquire({
      needs: ['pgvector', 'redis'],
      namespace: 'embedded-test',
      ephemeral: true,
      log: (line) => lines.push(line),
    });
  });
  afterAll(() => services?.close());

  it('prints one line per service naming the embedded backends', () => {
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      /^postgres: embedded PGlite \d+\.\d+ \(pgvector\) on 127\.0\.0\.1:\d+, data in memory/,
    );
    expect(lines[1]).toMatch(/^redis: embedded redis-server [\d.]+ on 127\.0\.0\.1:\d+/);
    expect(services.backends.postgres?.kind).toBe('embedded');
    expect(services.backends.redis?.kind).toBe('embedded');
  });

  it('sets search_path to the per-run schema, then public', async () => {
    const { rows } = await services.pg.query<{ search_path: string }>('SHOW search_path');
    expect(services.schema).toMatch(/^run_embedded_test_[a-z0-9]{8}$/);
    expect(rows[0].search_path).toBe(`${services.schema}, public`);
  });

  it('stores vectors, builds an HNSW index and queries by distance', async () => {
    await services.pg.query('CREATE TABLE items (id int PRIMARY KEY, embedding vector(3))');
    await services.pg.query(
      `INSERT INTO items VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0.9,0.1,0]'), (4, '[0,0,1]')`,
    );
    await services.pg.query('CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_cosine_ops)');
    const { rows } = await services.pg.query<{ id: number; distance: number }>(
      'SELECT id, embedding <=> $1 AS distance FROM items ORDER BY embedding <=> $1 LIMIT 2',
      ['[1,0,0]'],
    );
    expect(rows.map((r) => r.id)).toEqual([1, 3]);
    expect(rows[0].distance).toBeCloseTo(0, 6);
    const tables = await services.pg.query(
      `SELECT 1 FROM pg_indexes WHERE schemaname = $1 AND indexname = 'items_hnsw'`,
      [services.schema],
    );
    expect(tables.rowCount).toBe(1);
  });

  it('sets and gets Redis keys under the per-run prefix', async () => {
    await services.redis.set(services.key('greeting'), 'hello');
    expect(await services.redis.get(services.key('greeting'))).toBe('hello');
    expect(services.key('greeting')).toMatch(/^run:embedded_test:[a-z0-9]{8}:greeting$/);
  });

  it('close stops both servers: their ports no longer answer, and close is idempotent', async () => {
    const pgPort = Number(new URL(services.backends.postgres!.url).port);
    const redisPort = Number(new URL(services.backends.redis!.url).port);
    const extra = services.newRedis();
    await extra.ping();
    expect(await pingRedis(redisPort)).toBe(true);
    await services.close();
    await services.close();
    expect(await pingRedis(redisPort)).toBe(false);
    expect(extra.status).toBe('end');
    const client = new pg.Client({
      host: '127.0.0.1',
      port: pgPort,
      user: 'postgres',
      connectionTimeoutMillis: 2000,
    });
    client.on('error', () => {});
    await expect(client.connect()).rejects.toThrow();
  });
});

describe('needs', () => {
  it('throws NOT_NEEDED with the fix when pg is used but only redis was asked for', async () => {
    const services = await acquire({ needs: ['redis'], namespace: 'needs', log: () => {} });
    try {
      expect(services.backends.postgres).toBeUndefined();
      let caught: unknown;
      try {
        void services.pg;
      } catch (error) {
        caught = error;
      }
      expect(isServiceError(caught, 'NOT_NEEDED')).toBe(true);
      expect((caught as Error & { hint: string }).hint).toContain("'postgres'");
    } finally {
      await services.close();
    }
  });

  // With an engine here the docker path applies: this case is about a client without one.
  it.skipIf(engineAnswers)('falls through a docker client without an engine to embedded', async () => {
    delete process.env.MLOPS_LAB_NO_DOCKER;
    try {
      const services = await acquire({ needs: ['redis'], namespace: 'fallthrough', log: () => {} });
      await services.close();
      expect(services.backends.redis?.kind).toBe('embedded');
    } finally {
      process.env.MLOPS_LAB_NO_DOCKER = '1';
    }
  });

  it('without redis-server on PATH, fails with NO_REDIS listing the three ways to get Redis', async () => {
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const error = await acquire({ needs: ['redis'], namespace: 'noredis', log: () => {} }).catch((e) => e);
      expect(isServiceError(error, 'NO_REDIS')).toBe(true);
      expect(error.hint).toContain('pnpm services:up');
      expect(error.hint).toContain('apt-get install redis-server');
      expect(error.hint).toContain('REDIS_URL');
    } finally {
      process.env.PATH = path;
    }
  });

  it('gives each ephemeral acquire its own embedded instance (no shared session state)', async () => {
    const [a, b] = await Promise.all([
      acquire({ needs: ['postgres'], namespace: 'iso', ephemeral: true, log: () => {} }),
      acquire({ needs: ['postgres'], namespace: 'iso', ephemeral: true, log: () => {} }),
    ]);
    try {
      expect(a.backends.postgres!.url).not.toBe(b.backends.postgres!.url);
      await a.pg.query('CREATE TABLE only_in_a (x int)');
      const inB = await b.pg.query(`SELECT to_regclass('only_in_a') AS t`);
      expect(inB.rows[0].t).toBeNull();
      expect((await a.pg.query('SHOW search_path')).rows[0].search_path).toBe(`${a.schema}, public`);
      expect((await b.pg.query('SHOW search_path')).rows[0].search_path).toBe(`${b.schema}, public`);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});
