/**
 * Server behaviour over real HTTP on loopback: round trip, readiness gated on warm-up (Q19),
 * metrics, micro-batching, cache, de-duplication (Q31) and graceful shutdown.
 */

import { post } from '@mlops-lab/http/testing';
import { until } from '@mlops-lab/services/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServingModel } from './model.ts';
import { paymentBodies, trainPaymentsModel } from './payments-model.ts';
import { createServer, type ModelServer } from './server.ts';

const model = trainPaymentsModel({ size: 600, epochs: 50 });
const bodies = paymentBodies(7, 200);
const open: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function serve(opts: Partial<Parameters<typeof createServer>[0]> = {}) {
  const server = createServer({ model, warmup: { batchSizes: [1, 4] }, ...opts });
  open.push(server);
  const url = await server.start();
  return { server, url };
}

/** A model whose batches wait for `open()`: lets a test hold requests in flight. */
function gated(inner: ServingModel) {
  let release!: () => void;
  let gate = new Promise<void>((r) => {
    release = r;
  });
  const calls: number[] = [];
  const m: ServingModel = {
    ...inner,
    async predictBatch(rows) {
      calls.push(rows.length);
      await gate;
      return inner.predictBatch(rows);
    },
  };
  return {
    model: m,
    calls,
    open: () => release(),
    reset: () => {
      gate = new Promise<void>((r) => {
        release = r;
      });
    },
  };
}

describe('model server', () => {
  it('answers a prediction with score, decision, reason and model version', async () => {
    const { url } = await serve();
    const res = await post(url, bodies[0]);
    expect(res.status).toBe(200);
    const out = (await res.json()) as { score: number; decision: string; reason: string; model: unknown };
    expect(out.score).toBeGreaterThanOrEqual(0);
    expect(out.score).toBeLessThanOrEqual(1);
    expect(['approve', 'review', 'decline']).toContain(out.decision);
    expect(out.reason).toMatch(/fraud probability/);
    expect(out.model).toEqual({ name: model.name, version: model.version });
    // Same score as calling the model directly: the server adds no transform of its own.
    const [direct] = await model.predictBatch([model.preprocess(bodies[0])]);
    expect(out.score).toBeCloseTo(direct, 6);
  });

  it('is live at once but ready only after load and warm-up', async () => {
    let finishLoad!: () => void;
    const loaded = new Promise<void>((r) => {
      finishLoad = r;
    });
    const { server, url } = await serve({
      model: undefined,
      loader: async () => {
        await loaded;
        return model;
      },
    });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
    finishLoad();
    await server.ready;
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
    const text = await (await fetch(`${url}/metrics`)).text();
    expect(text).toMatch(/model_server_warmup_seconds \d/);
  });

  it('the readyAtStart variant says ready before the model is loaded', async () => {
    const { url } = await serve({
      model: undefined,
      loader: () => new Promise(() => {}),
      readyAtStart: true,
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);
  });

  it('exposes the Prometheus series', async () => {
    const { server, url } = await serve({ cache: { enabled: true }, dedup: true });
    await server.ready;
    await post(url, bodies[0]);
    await post(url, { amount: 'x' });
    const text = await (await fetch(`${url}/metrics`)).text();
    for (const series of [
      'model_server_requests_total{status="200"} 1',
      'model_server_requests_total{status="400"} 1',
      'model_server_request_duration_seconds_bucket',
      'model_server_batch_size_bucket',
      'model_server_stage_duration_seconds_bucket{le="0.001",stage="preprocess"}',
      'model_server_warmup_seconds',
      'model_server_first_request_seconds',
      `model_server_model_info{name="${model.name}",version="${model.version}"} 1`,
      'model_server_cache_hits_total',
      'model_server_cache_misses_total 1',
      'model_server_dedup_joins_total',
    ]) {
      expect(text).toContain(series);
    }
  });

  it('micro-batches concurrent requests into one model call', async () => {
    const g = gated(model);
    const { server, url } = await serve({
      model: g.model,
      warmup: false,
      batching: { maxBatch: 64, maxWaitMs: 20 },
    });
    await server.ready;
    const replies = Promise.all(bodies.slice(0, 40).map((b) => post(url, b)));
    await new Promise((r) => setTimeout(r, 100));
    g.open();
    expect((await replies).every((r) => r.status === 200)).toBe(true);
    expect(Math.max(...g.calls)).toBeGreaterThan(1);
    const { values } = await server.metrics.batchSize.get();
    const sum = values.find((v) => v.metricName === 'model_server_batch_size_sum')!.value;
    const count = values.find((v) => v.metricName === 'model_server_batch_size_count')!.value;
    expect(sum / count).toBeGreaterThan(1);
  });

  it('counts a cache hit and answers it without inference, in any key order', async () => {
    const { server, url } = await serve({ cache: { enabled: true, max: 100, ttlMs: 60_000 } });
    await server.ready;
    const a = await (await post(url, bodies[1])).json();
    const reordered = Object.fromEntries(Object.entries(bodies[1]).reverse());
    const b = await (await post(url, reordered)).json();
    expect(b).toEqual(a);
    expect((await server.metrics.cacheHits.get()).values[0].value).toBe(1);
    expect((await server.metrics.inferenceRows.get()).values[0].value).toBe(1);
  });

  it('de-duplicates identical in-flight requests: N requests, one inference', async () => {
    const g = gated(model);
    const { server, url } = await serve({ model: g.model, warmup: false, dedup: true });
    await server.ready;
    const replies = Promise.all(Array.from({ length: 20 }, () => post(url, bodies[2])));
    // Open the gate only once all 20 are in flight: one in the model, 19 joined to it.
    await until(async () => (await server.metrics.dedupJoins.get()).values[0]?.value === 19);
    g.open();
    const outs = (await Promise.all((await replies).map((r) => r.json()))) as { score: number }[];
    expect(new Set(outs.map((o) => o.score)).size).toBe(1);
    expect(g.calls.reduce((a, b) => a + b, 0)).toBe(1);
    expect((await server.metrics.dedupJoins.get()).values[0].value).toBe(19);
  });

  it('graceful shutdown drains an in-flight request and then refuses connections', async () => {
    const g = gated(model);
    const server = createServer({ model: g.model, warmup: false });
    const url = await server.start();
    await server.ready;
    const inflight = post(url, bodies[3]);
    await until(() => g.calls.length > 0); // the request is inside the model when shutdown begins
    const closed = server.close();
    await new Promise((r) => setTimeout(r, 50));
    g.open();
    expect((await inflight).status).toBe(200);
    await closed;
    await expect(post(url, bodies[3])).rejects.toThrow();
  });

  it('pads batches to the allowed sizes: warmed shapes only, so no cold-shape batch', async () => {
    const g = gated(model);
    g.open(); // no holding here: the gate only records the batch sizes the model sees
    const { server, url } = await serve({
      model: g.model,
      warmup: { batchSizes: [1, 8] },
      batching: { maxBatch: 8, maxWaitMs: 20, allowedSizes: [1, 8] },
    });
    await server.ready;
    g.calls.length = 0;
    const replies = await Promise.all(bodies.slice(0, 5).map((b) => post(url, b)));
    expect(replies.every((r) => r.status === 200)).toBe(true);
    expect(g.calls.every((n) => n === 1 || n === 8)).toBe(true); // 5 rows ran as a padded 8
    expect((await server.metrics.coldShapeBatches.get()).values[0].value).toBe(0);
    // The padding rows are dropped: each reply is its own row's score.
    const out = (await replies[4].json()) as { score: number };
    const [direct] = await model.predictBatch([model.preprocess(bodies[4])]);
    expect(out.score).toBeCloseTo(direct, 6);
  });

  it('counts batches at a shape warm-up never ran', async () => {
    const { server, url } = await serve({
      warmup: { batchSizes: [1] },
      // A long window: the 5 requests form one batch (padded to 8) even on a loaded machine.
      batching: { maxBatch: 8, maxWaitMs: 1000, allowedSizes: [1, 8] },
    });
    await server.ready;
    await Promise.all(bodies.slice(0, 5).map((b) => post(url, b)));
    expect((await server.metrics.coldShapeBatches.get()).values[0].value).toBe(1);
  });

  it('a bounded cache stays at its max; an unbounded one grows with distinct inputs', async () => {
    const bounded = await serve({ cache: { enabled: true, max: 10, ttlMs: 60_000 } });
    const unbounded = await serve({ cache: { enabled: true, max: Number.POSITIVE_INFINITY, ttlMs: 60_000 } });
    for (const { url } of [bounded, unbounded]) for (const b of bodies.slice(0, 50)) await post(url, b);
    expect(bounded.server.cacheEntries).toBe(10);
    expect(unbounded.server.cacheEntries).toBe(50);
    const text = await (await fetch(`${unbounded.url}/metrics`)).text();
    expect(text).toContain('model_server_cache_entries 50');
  });
});
