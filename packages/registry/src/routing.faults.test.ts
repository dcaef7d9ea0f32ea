/**
 * Fault injection for the routing table (Q18): the table and its history are in Postgres, Redis only
 * carries change notices. A redis-server of the test's own is killed and restarted empty while a
 * watcher follows a 95/5 canary: the canary must survive (no table change at all), every failed poll
 * must be counted (not one stuck, queued command), the outage must show in `health()`, and a change
 * written while Redis is away must still arrive, from Postgres. Then Postgres is cut away from the
 * watcher (a TCP proxy in front of a shared server): the last good table stays, the table turns
 * stale, and the first read after the cut heals it.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { type KillableRedis, startKillableRedis } from '@mlops-lab/services/testing';
import { testServices } from '@mlops-lab/services/vitest';
import { Redis } from 'ioredis';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setAlias } from './aliases.ts';
import { registerModel } from './models.ts';
import { type RoutingConfig, type RoutingStore, routingHistory, setRouting } from './routing.ts';
import { watchRouting } from './routing-watch.ts';
import { migrateRegistry } from './schema.ts';

const services = testServices({ needs: ['postgres'], namespace: 'routing-faults', prepare: migrateRegistry });
let redisServer: KillableRedis;
let writer: Redis;
let store: RoutingStore;

beforeAll(async () => {
  redisServer = await startKillableRedis();
  writer = new Redis(redisServer.url, { maxRetriesPerRequest: 1, retryStrategy: () => 50 });
  writer.on('error', () => {});
  store = { pg: services.pg, redis: writer, key: (name) => services.key(name) };
  for (const c of ['1', '2'])
    await registerModel(services.pg, { name: 'm', hash: c.repeat(64), dataRef: 'd' });
  await setAlias(services.pg, 'm', 'champion', 1, 'first model');
});
afterAll(async () => {
  writer?.disconnect();
  await redisServer?.stop();
});

/** A TCP proxy: `cut()` drops every connection and refuses new ones, `restore()` heals. */
class Link {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(
    private readonly host: string,
    private readonly upstreamPort: number,
  ) {}
  async restore(): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.upstreamPort, this.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('error', () => {});
        s.on('close', () => this.sockets.delete(s));
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((r) => this.server!.listen(this.port, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
  }
  async cut(): Promise<void> {
    const closed = new Promise((r) => this.server?.close(r));
    for (const s of this.sockets) s.destroy();
    await closed;
  }
}

async function until(done: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`not reached in ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('routing table through a Redis crash', () => {
  it('keeps the canary when Redis restarts empty, counts each failed poll, still takes changes from Postgres', async () => {
    const canary = { champion: 95, '2': 5 };
    const first = await setRouting(store, 'm', canary, { reason: 'canary v2 at 5%', by: 'test' });
    expect(first).toMatchObject({ revision: 1, notified: true });

    const seen: (RoutingConfig | null)[] = [];
    const errors = { redis: 0, postgres: 0 };
    const watch = watchRouting(store, 'm', (c) => seen.push(c), {
      intervalMs: 50,
      tableEveryMs: 500,
      onError: (_e, where) => errors[where]++,
    });
    try {
      await until(
        () => seen.length === 1 && watch.health().noticeAgeSeconds !== null,
        'first table and notice',
      );
      expect(seen).toEqual([canary]);

      await redisServer.kill();
      const errorsAtKill = errors.redis;
      // 50 ms polls: ten failures is half a second of outage, each one counted.
      await until(() => errors.redis >= errorsAtKill + 10, 'ten failed notice polls');
      const during = watch.health();
      expect(during.noticeAgeSeconds).toBeGreaterThan(0.3);
      expect(during.stale).toBe(false); // Postgres still confirms the table

      // A change made while Redis is away: the write succeeds (durable), the notice does not.
      const ramp = { champion: 90, '2': 10 };
      const second = await setRouting(store, 'm', ramp, { reason: 'ramp to 10%', by: 'test' });
      expect(second).toMatchObject({ revision: 2, notified: false });
      await until(() => seen.length === 2, 'the change read from Postgres without a notice');
      expect(seen[1]).toEqual(ramp);

      await redisServer.restart(); // empty: no notice key at all
      const errorsAtRestart = errors.redis;
      await until(() => (watch.health().noticeAgeSeconds ?? 99) < 0.2, 'notice polls answered again');
      await new Promise((r) => setTimeout(r, 1200)); // two full table reads after the restart
      expect(seen).toEqual([canary, ramp]); // nothing dropped, no fallback applied
      expect(watch.health()).toMatchObject({ revision: 2, stale: false });
      expect(errors.redis - errorsAtRestart).toBeLessThan(5); // the polls failing was the outage, not noise
      expect(errors.postgres).toBe(0);
    } finally {
      watch.stop();
    }
    expect((await routingHistory(services.pg, 'm')).map((c) => [c.revision, c.reason, c.by])).toEqual([
      [1, 'canary v2 at 5%', 'test'],
      [2, 'ramp to 10%', 'test'],
    ]);
  });
});

// The embedded PGlite is one session shared by every connection: a second path to it through a
// proxy is not a second server. A shared Postgres (DATABASE_URL, as in CI) is needed here.
describe.skipIf(!process.env.DATABASE_URL)('routing table through a Postgres outage', () => {
  it('keeps the last good table, turns stale, and heals on the first read after', async () => {
    const url = new URL(services.pg.options.connectionString ?? process.env.DATABASE_URL!);
    const link = new Link(url.hostname, Number(url.port || 5432));
    await link.restore();
    url.hostname = '127.0.0.1';
    url.port = String(link.port);
    const pool = new pg.Pool({
      connectionString: url.toString(),
      max: 1,
      connectionTimeoutMillis: 1000,
      query_timeout: 1000,
    });
    pool.on('error', () => {}); // an idle client dropped by the cut; the polls report it
    pool.on('connect', (c) => void c.query(`SET search_path TO "${services.schema}", public`));
    const seen: (RoutingConfig | null)[] = [];
    const errors = { redis: 0, postgres: 0 };
    await redisServer.restart(); // a fresh, empty Redis: notices play no part here
    const watch = watchRouting({ pg: pool, redis: writer, key: store.key }, 'm', (c) => seen.push(c), {
      intervalMs: 50,
      tableEveryMs: 200,
      staleAfterMs: 600,
      onError: (_e, where) => errors[where]++,
    });
    try {
      await until(() => seen.length === 1, 'first table');
      const table = seen[0];
      expect(table).not.toBeNull();
      await link.cut();
      await until(() => errors.postgres >= 3 && watch.health().stale, 'stale after failed table reads');
      expect(seen).toEqual([table]); // nothing replaced the last good table
      await link.restore();
      await until(() => !watch.health().stale, 'a good table read after the outage');
      expect(seen).toEqual([table]);
    } finally {
      watch.stop();
      await link.cut();
      await pool.end().catch(() => {});
    }
  });
});
