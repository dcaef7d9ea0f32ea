/**
 * Routing as configuration on a running server (Q18), with the real registry (Postgres), real TF.js
 * versions, the table in Postgres and its change notices in real Redis: a weight change and an alias
 * move reach the server without a restart, an invalid table is refused and the old one kept, the
 * same routing key sticks to a version, and Redis killed mid-traffic and restarted empty changes
 * nothing users see: no failed request, the canary share kept, the outage visible in /metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RegistryError, setAlias, setRouting, stickyDraw } from '@mlops-lab/registry';
import { startKillableRedis } from '@mlops-lab/services/testing';
import { testServices } from '@mlops-lab/services/vitest';
import { trainAndRegister } from '@mlops-lab/training';
import { afterAll, describe, expect, it } from 'vitest';
import { paymentBodies } from './payments-model.ts';
import { registryRouting } from './routing.ts';
import { createServer, type ModelServer, ROUTING_KEY_HEADER } from './server.ts';

const NAME = 'routed-fraud';
const artifactsRoot = mkdtempSync(join(tmpdir(), 'model-server-routing-'));
const bodies = paymentBodies(17, 400);
const services = testServices({
  needs: ['postgres', 'redis'],
  namespace: 'model-server-routing',
  prepare: async (s) => {
    for (const seed of [1, 2])
      await trainAndRegister({ services: s, name: NAME, seed, size: 800, epochs: 2, artifactsRoot });
  },
});
afterAll(() => {
  rmSync(artifactsRoot, { recursive: true, force: true });
});

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

describe('a routed server follows the routing table while it runs', () => {
  it('weights, refusal, stickiness and alias moves', async () => {
    const source = registryRouting(services, NAME, { artifactsRoot, pollMs: 50, resolveEveryMs: 100 });
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
    } finally {
      await server.close();
    }
  });
});

describe('Redis killed mid-traffic, restarted empty', () => {
  it('fails no request, keeps the canary share, shows the outage in /metrics', async () => {
    const redisServer = await startKillableRedis();
    const redis = services.newRedis({ host: '127.0.0.1', port: redisServer.port, maxRetriesPerRequest: 1 });
    redis.on('error', () => {});
    const store = { pg: services.pg, redis, key: (name: string) => services.key(name) };
    await setAlias(services.pg, NAME, 'champion', 1, 'test: champion back to 1');
    await setRouting(store, NAME, { champion: 80, '2': 20 }, { reason: 'canary 20%', by: 'test' });
    const source = registryRouting(store, NAME, { artifactsRoot, pollMs: 50, tableEveryMs: 500 });
    const server = createServer({ routing: source, warmup: { batchSizes: [1, 8] } });
    type Phase = 'before' | 'outage' | 'after';
    let phase: Phase = 'before';
    let running = true;
    const replies: { phase: Phase; status: number; version?: string }[] = [];
    const metric = async (series: string): Promise<number> => {
      const text = await (await fetch(`${server.url}/metrics`)).text();
      const line = text.split('\n').find((l) => l.startsWith(series));
      return line ? Number(line.split(' ').at(-1)) : 0;
    };
    const count = (p: Phase) => replies.filter((r) => r.phase === p).length;
    try {
      const url = await server.start();
      await server.ready;
      await until(() => server.routes.length === 2);
      const updatesBefore = await counterValue(server, 'routingUpdates');
      const client = async (seed: number) => {
        for (let i = seed; running; i += 4) {
          const at = phase;
          try {
            const res = await fetch(`${url}/predict`, {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify(bodies[i % bodies.length]),
            });
            const body = (await res.json()) as { model?: { version: string } };
            replies.push({ phase: at, status: res.status, version: body.model?.version });
          } catch {
            replies.push({ phase: at, status: 0 });
          }
        }
      };
      const clients = [0, 1, 2, 3].map(client);
      await until(() => count('before') >= 400);

      phase = 'outage';
      await redisServer.kill();
      await until(async () => (await metric('model_server_routing_errors_total{stage="redis"}')) >= 20);
      await until(() => count('outage') >= 400);
      const ready = (await (await fetch(`${url}/readyz`)).json()) as {
        ready: boolean;
        routing: { noticeAgeSeconds: number; stale: boolean };
      };
      expect(ready.ready).toBe(true); // the last good table serves: a store outage is no reason to leave rotation
      expect(ready.routing.noticeAgeSeconds).toBeGreaterThan(0.5);
      expect(await metric('model_server_routing_last_good_read_age_seconds{store="redis"}')).toBeGreaterThan(
        0.5,
      );

      await redisServer.restart();
      phase = 'after';
      await until(
        async () => (await metric('model_server_routing_last_good_read_age_seconds{store="redis"}')) < 0.5,
      );
      await new Promise((r) => setTimeout(r, 1200)); // two table reads after the restart
      await until(() => count('after') >= 400);
      running = false;
      await Promise.all(clients);

      expect(replies.filter((r) => r.status !== 200)).toEqual([]);
      expect(await counterValue(server, 'routingUpdates')).toBe(updatesBefore); // no table change at all
      for (const p of ['before', 'outage', 'after'] as const) {
        const inPhase = replies.filter((r) => r.phase === p);
        const share2 = inPhase.filter((r) => r.version === '2').length / inPhase.length;
        // binomial(>=400, 0.2): sd <= 0.02, so 0.1..0.3 is five sd either way
        expect(share2, `share of v2 ${p}`).toBeGreaterThan(0.1);
        expect(share2, `share of v2 ${p}`).toBeLessThan(0.3);
      }
    } finally {
      running = false;
      await server.close();
      redis.disconnect();
      await redisServer.stop();
    }
  });
});
