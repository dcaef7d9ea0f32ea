/**
 * Routing as configuration on a running server (Q18), with the real registry (Postgres), real TF.js
 * versions and the table in real Redis: a weight change and an alias move reach the server without a
 * restart, an invalid table is refused and the old one kept, the same routing key sticks to a version,
 * and a Redis outage (the server's connection cut by a TCP proxy in front of Redis) leaves the last
 * good table serving until Redis is back.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError, setAlias, setRouting } from '@mlops-lab/registry';
import { acquire, type ServicesWithExtras } from '@mlops-lab/services';
import { trainAndRegister } from '@mlops-lab/training';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentBodies } from './payments-model.ts';
import { registryRouting, stickyDraw } from './routing.ts';
import { createServer, type ModelServer, ROUTING_KEY_HEADER } from './server.ts';

const NAME = 'routed-fraud';
let services: ServicesWithExtras;
const artifactsRoot = mkdtempSync(join(tmpdir(), 'model-server-routing-'));
const bodies = paymentBodies(17, 400);

/** A TCP proxy in front of Redis: `cut()` drops every connection and refuses new ones, `restore()` heals. */
class RedisLink {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(
    private readonly host: string,
    private readonly upstreamPort: number,
  ) {}
  async restore(): Promise<void> {
    this.server = createTcpServer((client) => {
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

async function until(done: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error('condition not reached in time');
    await new Promise((r) => setTimeout(r, 20));
  }
}

const counterValue = async (server: ModelServer, name: 'routingUpdates' | 'routingErrors') =>
  (await server.metrics[name].get()).values.reduce((a, v) => a + v.value, 0);

async function versionsServed(url: string, n: number, key?: string): Promise<string[]> {
  const out: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(key ? { [ROUTING_KEY_HEADER]: key } : {}) },
      body: JSON.stringify(bodies[i % bodies.length]),
    });
    expect(res.status).toBe(200);
    out.push(((await res.json()) as { model: { version: string } }).model.version);
  }
  return out;
}

beforeAll(async () => {
  services = await acquire({
    needs: ['postgres', 'redis'],
    namespace: 'model-server-routing',
    ephemeral: true,
    log: () => {},
  });
  for (const seed of [1, 2])
    await trainAndRegister({ services, name: NAME, seed, size: 800, epochs: 2, artifactsRoot });
});
afterAll(async () => {
  await services?.close();
  rmSync(artifactsRoot, { recursive: true, force: true });
});

describe('a routed server follows the routing table while it runs', () => {
  it('weights, refusal, stickiness, alias moves and a Redis outage', async () => {
    const { host, port } = services.redis.options;
    const link = new RedisLink(host ?? '127.0.0.1', port ?? 6379);
    await link.restore();
    // Fail fast while Redis is away (no offline queue): the outage is counted, not hidden in a queue.
    const watcherRedis = services.newRedis({
      host: '127.0.0.1',
      port: link.port,
      enableOfflineQueue: false,
      retryStrategy: () => 50,
    });
    const source = registryRouting(
      { pg: services.pg, redis: watcherRedis, key: (name) => services.key(name) },
      NAME,
      {
        artifactsRoot,
        pollMs: 50,
        resolveEveryMs: 100,
      },
    );
    const server = createServer({ routing: source, warmup: { batchSizes: [1, 8] } });
    try {
      const url = await server.start();
      await server.ready;
      // No table stored: the fallback { champion: 100 }, champion being version 1.
      expect(new Set(await versionsServed(url, 20))).toEqual(new Set(['1']));

      await setRouting(services, NAME, { champion: 50, '2': 50 });
      await until(async () => (await counterValue(server, 'routingUpdates')) >= 2);
      const served = await versionsServed(url, 200);
      const share2 = served.filter((v) => v === '2').length / served.length;
      expect(share2).toBeGreaterThan(0.3); // binomial(200, 0.5): 0.3 is over 5 standard deviations away
      expect(share2).toBeLessThan(0.7);
      // Sticky: one key, one version, every time; and the version its hash names.
      const sticky = await versionsServed(url, 10, 'user-42');
      expect(new Set(sticky).size).toBe(1);
      expect(sticky[0]).toBe(stickyDraw('user-42') < 0.5 ? '2' : '1'); // targets in sorted order: "2", "champion"

      await expect(setRouting(services, NAME, { champion: 50, '9': 50 })).rejects.toBeInstanceOf(
        RegistryError,
      );
      await expect(setRouting(services, NAME, { champion: 60, '2': 50 })).rejects.toThrow(/sum to 110/);
      expect(server.routes.map((r) => `${r.target}:${r.version}:${r.weight}`).sort()).toEqual([
        '2:2:50',
        'champion:1:50',
      ]);

      // Rollback-style alias move: champion -> 2, the table unchanged; the server re-resolves it.
      await setRouting(services, NAME, { champion: 100 });
      await setAlias(services.pg, NAME, 'champion', 2, 'test: promote 2');
      await until(() => server.routes.length === 1 && server.routes[0].version === '2');
      expect(new Set(await versionsServed(url, 20))).toEqual(new Set(['2']));

      // Redis away: a new table written meanwhile cannot be read; serving goes on with the last good one.
      await link.cut();
      const errorsBefore = await counterValue(server, 'routingErrors');
      await setRouting(services, NAME, { '1': 100 }); // through the test's own connection, not the proxy
      await until(async () => (await counterValue(server, 'routingErrors')) > errorsBefore + 3);
      expect(new Set(await versionsServed(url, 20))).toEqual(new Set(['2']));

      await link.restore();
      await until(() => server.routes[0]?.version === '1');
      expect(new Set(await versionsServed(url, 20))).toEqual(new Set(['1']));
    } finally {
      await server.close();
      watcherRedis.disconnect();
      await link.cut();
    }
  });
});

describe('sticky assignment', () => {
  it('spreads short consecutive keys evenly: every decile within 5 sd of 10%', () => {
    for (const prefix of ['u', 'user-', '']) {
      const deciles = new Array(10).fill(0);
      for (let i = 1; i <= 10_000; i++) deciles[Math.floor(stickyDraw(`${prefix}${i}`) * 10)]++;
      for (const count of deciles) expect(Math.abs(count - 1000)).toBeLessThan(5 * 30); // sd = sqrt(10k * .1 * .9)
    }
  });
});
