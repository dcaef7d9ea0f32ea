/**
 * The router over real HTTP in front of stand-in model servers (stand-in-upstream.ts): weighted
 * sticky assignment, a shadow that hangs or crashes without touching users, the named faults, and
 * the answers in @mlops-lab/monitoring's prediction log joined to delayed outcomes in Postgres, through
 * an outage of Postgres.
 */
import { PredictionLog, type PredictionRecord, recordLabels } from '@mlops-lab/monitoring';
import { beforeAll, describe, expect, it } from 'vitest';
import { joinOutcomes } from './log.ts';
import { REQUEST_KEY_HEADER, type Router, type RouterOptions } from './router.ts';
import { routerOver, routerServices, standInsOfFile } from './router-fixture.ts';
import { modelStandIn, type StandInScript, standInBodies } from './stand-in-upstream.ts';

const bodies = standInBodies(3, 300);
const services = routerServices('router-test');
const standIn = standInsOfFile();
const urls: Record<string, string> = {};

async function modelServer(name: string, script: StandInScript): Promise<void> {
  urls[name] = (await standIn(script)).url;
}

beforeAll(async () => {
  await modelServer('1', modelStandIn('1'));
  await modelServer('2', modelStandIn('2'));
  await modelServer('hang', () => 'hang');
  await modelServer('crash', () => ({ status: 500, body: { error: 'internal', reason: 'internal error' } }));
});

function router(opts: Partial<RouterOptions> & { weights?: Record<string, number> }): Router {
  return routerOver(urls, opts.weights ?? { '1': 100 }, opts);
}

async function send(url: string, n: number, key: (i: number) => string | null) {
  const out: { status: number; version: string; requestId: string }[] = [];
  const one = async (i: number) => {
    const k = key(i);
    const res = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(k ? { [REQUEST_KEY_HEADER]: k } : {}) },
      body: bodies[i % bodies.length],
    });
    const body = (await res.json()) as { version: string; requestId: string };
    out[i] = { status: res.status, version: body.version, requestId: body.requestId };
  };
  for (let i = 0; i < n; i += 16)
    await Promise.all(Array.from({ length: Math.min(16, n - i) }, (_, j) => one(i + j)));
  return out;
}

describe('router', () => {
  it('assigns by weight and sticks a key to its version', async () => {
    const r = router({ weights: { '1': 90, '2': 10 } });
    try {
      const url = await r.start();
      const replies = await send(url, 2000, (i) => `user-${i}`);
      const share2 = replies.filter((x) => x.version === '2').length / replies.length;
      expect(Math.abs(share2 - 0.1)).toBeLessThan(5 * Math.sqrt((0.1 * 0.9) / 2000));
      const again = await send(url, 40, () => 'user-7');
      expect(new Set(again.map((x) => x.version))).toEqual(new Set([replies[7].version]));
    } finally {
      await r.close();
    }
  });

  it('a hanging or crashing shadow changes nothing for users; its outcomes are counted', async () => {
    for (const bad of ['hang', 'crash']) {
      // A crash answers 500 at once, but give it time on a loaded machine: it must count as an error.
      const r = router({ shadow: { version: bad, share: 1, timeoutMs: bad === 'hang' ? 200 : 10_000 } });
      try {
        const url = await r.start();
        const replies = await send(url, 64, (i) => `u${i}`);
        expect(replies.every((x) => x.status === 200 && x.version === '1')).toBe(true);
        await r.shadowIdle();
        const { values } = await r.metrics.shadow.get();
        const count = (o: string) => values.find((v) => v.labels.outcome === o)?.value ?? 0;
        expect(count(bad === 'hang' ? 'timeout' : 'error')).toBe(64);
      } finally {
        await r.close();
      }
    }
  });

  it('faults: returnShadow leaks the challenger, nonSticky splits a user, shadowOnUserPath waits', async () => {
    const leak = router({
      shadow: { version: '2', share: 1, timeoutMs: 1000 },
      faults: { returnShadow: true },
    });
    const loose = router({ weights: { '1': 50, '2': 50 }, faults: { nonSticky: true } });
    const onPath = router({
      shadow: { version: 'hang', share: 1, timeoutMs: 300 },
      faults: { shadowOnUserPath: true },
    });
    try {
      expect(new Set((await send(await leak.start(), 20, (i) => `u${i}`)).map((x) => x.version))).toEqual(
        new Set(['2']),
      );
      expect(
        new Set((await send(await loose.start(), 60, () => 'same-user')).map((x) => x.version)).size,
      ).toBe(2);
      const url = await onPath.start();
      await send(url, 4, (i) => `u${i}`);
      // Every user request waited for the shadow's 300 ms timeout: the overhead histogram shows it.
      const { values } = await onPath.metrics.upstream.get();
      const shadowCount = values.find(
        (v) => v.metricName === 'router_upstream_seconds_count' && v.labels.role === 'shadow',
      );
      expect(shadowCount?.value).toBe(4);
    } finally {
      await Promise.all([leak.close(), loose.close(), onPath.close()]);
    }
  });

  it('logs served and shadow predictions and joins delayed outcomes', async () => {
    const log = await PredictionLog.open(services, { stream: services.key('answers') });
    const r = router({ weights: { '1': 100 }, shadow: { version: '2', share: 0.5, timeoutMs: 1000 }, log });
    try {
      const url = await r.start();
      const replies = await send(url, 200, (i) => `k${i}`);
      await r.shadowIdle();
      await log.persisted();
      await recordLabels(
        services.pg,
        replies.slice(0, 150).map((x, i) => ({
          requestId: x.requestId,
          label: (i % 7 === 0 ? 1 : 0) as 0 | 1,
          labelledAt: Date.now(),
        })),
      );
      const joined = await joinOutcomes(services.pg, { onlyLabelled: true });
      expect(joined).toHaveLength(150);
      const mirrored = joined.filter((j) => j.shadowVersion === '2');
      expect(mirrored.length).toBeGreaterThan(40); // share 0.5 of 150
      expect(mirrored.every((j) => j.shadowScore !== null && j.servedVersion === '1')).toBe(true);
      expect(log.stats().producer).toMatchObject({ dropped: 0, buffered: 0 });
    } finally {
      await r.close();
      await log.close();
    }
  });

  it('keeps rows through a Postgres outage and counts what it had to drop', async () => {
    let down = true;
    const flaky = {
      query: ((...args: Parameters<typeof services.pg.query>) =>
        down
          ? Promise.reject(new Error('connection refused'))
          : services.pg.query(...args)) as typeof services.pg.query,
    };
    // Postgres is away for the consumer: entries wait in the stream up to its bound (100), then in the
    // producer's buffer (10); beyond both a record is dropped and counted.
    const log = await PredictionLog.open(services, {
      stream: services.key('outage'),
      pg: flaky,
      producer: { flushEveryMs: 0, maxBacklog: 100, maxBuffered: 10 },
    });
    const row = (i: number): PredictionRecord => ({
      requestId: `outage-${i}`,
      role: 'served',
      modelVersion: '1',
      at: Date.now(),
      features: {},
      score: 0.5,
      decision: 'approve',
      latencyMs: 1,
      error: null,
    });
    try {
      for (let i = 0; i < 100; i += 10) {
        for (let j = i; j < i + 10; j++) expect(log.append(row(j))).toBe(true);
        await log.producer.flush(); // into the stream: the buffer holds 10
      }
      const accepted = Array.from({ length: 20 }, (_, i) => log.append(row(100 + i)));
      await log.producer.flush();
      expect(accepted.filter(Boolean)).toHaveLength(10);
      expect(log.stats().producer).toMatchObject({ appended: 100, buffered: 10, dropped: 10 });
      expect((await log.backlog()).length).toBe(100); // nothing persisted, nothing trimmed
      const { rows: none } = await services.pg.query(
        "SELECT count(*)::int AS n FROM prediction_log WHERE request_id LIKE 'outage-%'",
      );
      expect(none[0].n).toBe(0);

      down = false;
      await log.persisted();
      expect(log.stats().producer).toMatchObject({ appended: 110, buffered: 0, dropped: 10 });
      expect(log.stats().consumerErrors).toBeGreaterThan(0);
      const { rows } = await services.pg.query(
        "SELECT count(*)::int AS n FROM prediction_log WHERE request_id LIKE 'outage-%'",
      );
      expect(rows[0].n).toBe(110); // every accepted record, once
    } finally {
      await log.close();
    }
  });
});

describe('shadow sampling', () => {
  it('mirrors the stated share of sequential request ids', async () => {
    const r = router({ shadow: { version: '2', share: 0.5, timeoutMs: 1000 } });
    try {
      const url = await r.start();
      for (let i = 0; i < 600; i += 20) {
        await Promise.all(
          Array.from({ length: 20 }, (_, j) =>
            fetch(`${url}/predict`, {
              method: 'POST',
              headers: { 'content-type': 'application/json', 'x-request-id': `lat1-${i + j}` },
              body: bodies[0],
            }).then((res) => res.arrayBuffer()),
          ),
        );
      }
      await r.shadowIdle();
      const { values } = await r.metrics.shadow.get();
      const mirrored = values.reduce((a, v) => a + v.value, 0);
      expect(Math.abs(mirrored / 600 - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / 600)); // 5 sd
    } finally {
      await r.close();
    }
  });
});
