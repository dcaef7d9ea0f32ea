/**
 * Integration against real servers given by DATABASE_URL / REDIS_URL (defaults: the local Postgres and
 * Redis on their standard ports). Skipped when neither is set and the defaults do not answer.
 * Covers namespace isolation and cleanup, migrations, and the NO_VECTOR / UNREACHABLE errors.
 */
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorMessage, isServiceError, type ServiceError } from './errors.ts';
import { migrate } from './migrate.ts';
import { acquire } from './services.ts';
import { postgresProblem, redisProblem } from './status.ts';
import type { Migration } from './types.ts';

const DATABASE_URL = process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/test';
const REDIS_URL = process.env.REDIS_URL || 'redis://127.0.0.1:6379';
const explicit = Boolean(process.env.DATABASE_URL && process.env.REDIS_URL);

const available =
  explicit ||
  ((await postgresProblem(DATABASE_URL)) === undefined && (await redisProblem(REDIS_URL)) === undefined);
const quiet = { log: () => {} };

async function rejection(promise: Promise<unknown>): Promise<ServiceError> {
  try {
    await promise;
  } catch (error) {
    if (isServiceError(error)) return error;
    throw new Error(`expected a ServiceError, got: ${errorMessage(error)}`);
  }
  throw new Error('expected a rejection');
}

describe.skipIf(!available)('env URLs (real Postgres and Redis)', () => {
  let admin: pg.Client;
  let redis: Redis;

  beforeAll(async () => {
    process.env.DATABASE_URL = DATABASE_URL;
    process.env.REDIS_URL = REDIS_URL;
    admin = new pg.Client({ connectionString: DATABASE_URL });
    await admin.connect();
    redis = new Redis(REDIS_URL);
  });
  afterAll(async () => {
    await admin?.end();
    redis?.disconnect();
  });

  const schemaExists = async (schema: string) =>
    (await admin.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])).rowCount === 1;

  it('gives two acquires different schemas and key prefixes, and close drops both', async () => {
    const lines: string[] = [];
    const a = await acquire({
      needs: ['postgres', 'redis'],
      namespace: 'env-iso',
      log: (l) => lines.push(l),
    });
    const b = await acquire({ needs: ['postgres', 'redis'], namespace: 'env-iso', ...quiet });
    expect(lines[0]).toMatch(/^postgres: DATABASE_URL postgres:\/\//);
    expect(lines[1]).toMatch(/^redis: REDIS_URL redis:\/\//);
    expect(a.backends.postgres?.kind).toBe('env');
    expect(a.schema).not.toBe(b.schema);
    expect(a.keyPrefix).not.toBe(b.keyPrefix);

    await a.pg.query('CREATE TABLE t (v text)');
    await a.pg.query(`INSERT INTO t VALUES ('a')`);
    await b.pg.query('CREATE TABLE t (v text)');
    expect((await b.pg.query('SELECT count(*)::int AS n FROM t')).rows[0].n).toBe(0);
    await a.redis.set(a.key('k'), '1');
    await a.redis.set(a.key('nested:k2'), '2');
    await b.redis.set(b.key('k'), '1');

    await a.close();
    expect(await schemaExists(a.schema)).toBe(false);
    expect(await schemaExists(b.schema)).toBe(true);
    expect(await redis.exists(a.key('k'), a.key('nested:k2'))).toBe(0);
    expect(await redis.exists(b.key('k'))).toBe(1);
    await b.close();
    expect(await schemaExists(b.schema)).toBe(false);
    expect(await redis.exists(b.key('k'))).toBe(0);
  });

  it('keeps a keep:true schema and keys after close', async () => {
    const ns = `envkeep${Date.now().toString(36)}`;
    const s = await acquire({ needs: ['postgres', 'redis'], namespace: ns, keep: true, ...quiet });
    try {
      expect(s.schema).toBe(`mlops_${ns}`);
      await s.redis.set(s.key('x'), '1');
      await s.close();
      expect(await schemaExists(s.schema)).toBe(true);
      expect(await redis.get(s.key('x'))).toBe('1');
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS "mlops_${ns}" CASCADE`);
      await redis.del(s.key('x'));
    }
  });

  it('applies migrations once, in order; a second run applies nothing', async () => {
    const s = await acquire({ needs: ['postgres'], namespace: 'env-mig', ...quiet });
    try {
      const migrations: Migration[] = [
        { id: '001_table', sql: 'CREATE TABLE events (id int PRIMARY KEY, v text)' },
        { id: '002_seed', sql: `INSERT INTO events VALUES (1, 'one')` },
      ];
      expect(await migrate(s.pg, s.schema, 'owner-a', migrations)).toEqual(['001_table', '002_seed']);
      expect(await migrate(s.pg, s.schema, 'owner-a', migrations)).toEqual([]);
      await s.migrate('owner-a', migrations); // the Services method: also a no-op, no duplicate-key error
      // Same ids under another owner are separate.
      expect(await migrate(s.pg, s.schema, 'owner-b', [{ id: '001_table', sql: 'SELECT 1' }])).toEqual([
        '001_table',
      ]);
      const { rows } = await s.pg.query('SELECT owner, id FROM _migrations ORDER BY owner, id');
      expect(rows).toEqual([
        { owner: 'owner-a', id: '001_table' },
        { owner: 'owner-a', id: '002_seed' },
        { owner: 'owner-b', id: '001_table' },
      ]);
      expect((await s.pg.query('SELECT count(*)::int AS n FROM events')).rows[0].n).toBe(1);
    } finally {
      await s.close();
    }
  });

  it('rolls back a failing migration, names it, and keeps the ones before it', async () => {
    const s = await acquire({ needs: ['postgres'], namespace: 'env-mig', ...quiet });
    try {
      const error = await rejection(
        s.migrate('owner', [
          { id: '001_ok', sql: 'CREATE TABLE ok (x int)' },
          { id: '002_bad', sql: 'CREATE TABLE half (x int); SELECT * FROM no_such_table' },
        ]),
      );
      expect(error.code).toBe('MIGRATION_FAILED');
      expect(error.message).toContain('owner/002_bad');
      expect(error.message).toContain('no_such_table');
      expect((await s.pg.query(`SELECT to_regclass('half') AS t`)).rows[0].t).toBeNull();
      expect((await s.pg.query(`SELECT to_regclass('ok') AS t`)).rows[0].t).not.toBeNull();
      const { rows } = await s.pg.query('SELECT id FROM _migrations');
      expect(rows).toEqual([{ id: '001_ok' }]);
    } finally {
      await s.close();
    }
  });

  it('is safe for concurrent migrators on the same schema (advisory lock)', async () => {
    const ns = `envconc${Date.now().toString(36)}`;
    const [a, b] = await Promise.all([
      acquire({ needs: ['postgres'], namespace: ns, keep: true, ...quiet }),
      acquire({ needs: ['postgres'], namespace: ns, keep: true, ...quiet }),
    ]);
    try {
      const migrations = [
        { id: '001', sql: 'CREATE TABLE hits (n int); SELECT pg_sleep(0.2)' },
        { id: '002', sql: 'INSERT INTO hits VALUES (1)' },
      ];
      const applied = await Promise.all([
        migrate(a.pg, a.schema, 'o', migrations),
        migrate(b.pg, b.schema, 'o', migrations),
      ]);
      expect(applied.map((ids) => ids.length).sort()).toEqual([0, 2]);
      expect((await a.pg.query('SELECT count(*)::int AS n FROM hits')).rows[0].n).toBe(1);
    } finally {
      await Promise.all([a.close(), b.close()]);
      await admin.query(`DROP SCHEMA IF EXISTS "mlops_${ns}" CASCADE`);
    }
  });

  it('fails with NO_VECTOR and the fix when pgvector is needed but the server lacks it', async () => {
    const vector = await admin.query(`SELECT 1 FROM pg_available_extensions WHERE name = 'vector'`);
    if (vector.rowCount) return expect(vector.rowCount).toBe(1); // this server has pgvector: nothing to show
    const error = await rejection(acquire({ needs: ['pgvector'], namespace: 'env-vec', ...quiet }));
    expect(error.code).toBe('NO_VECTOR');
    expect(error.message).toContain('DATABASE_URL');
    expect(error.hint).toContain('pgvector/pgvector:pg16');
    expect(error.hint).toContain('pnpm services:up');
    expect(error.hint).toMatch(/unset DATABASE_URL/);
    // Nothing left behind: the schema creation was rolled back with the extension.
    const leftovers = await admin.query(`SELECT 1 FROM pg_namespace WHERE nspname LIKE 'run_env_vec_%'`);
    expect(leftovers.rowCount).toBe(0);
  });
});

describe('unreachable env URLs', () => {
  const saved = { DATABASE_URL: process.env.DATABASE_URL, REDIS_URL: process.env.REDIS_URL };
  afterAll(() => {
    process.env.DATABASE_URL = saved.DATABASE_URL;
    process.env.REDIS_URL = saved.REDIS_URL;
    if (saved.DATABASE_URL === undefined) delete process.env.DATABASE_URL;
    if (saved.REDIS_URL === undefined) delete process.env.REDIS_URL;
  });

  it('names DATABASE_URL (password masked) and how to fix it, never falling back', async () => {
    process.env.DATABASE_URL = 'postgres://postgres:s3cret@127.0.0.1:1/nothing';
    const error = await rejection(acquire({ needs: ['postgres'], namespace: 'unreach', ...quiet }));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain('DATABASE_URL=postgres://postgres:***@127.0.0.1:1/nothing');
    expect(error.message).not.toContain('s3cret');
    expect(error.hint).toContain('unset DATABASE_URL');
  });

  it('names REDIS_URL', async () => {
    process.env.REDIS_URL = 'redis://127.0.0.1:1';
    const error = await rejection(acquire({ needs: ['redis'], namespace: 'unreach', ...quiet }));
    expect(error.code).toBe('UNREACHABLE');
    expect(error.message).toContain('REDIS_URL=redis://127.0.0.1:1');
    expect(error.hint).toContain('unset REDIS_URL');
  });
});
