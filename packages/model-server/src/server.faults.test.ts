/**
 * The model server under faults, over real HTTP on loopback: slow clients (a body or headers sent
 * byte by byte) among valid traffic, keep-alive clients while the server closes, and a model that
 * hangs or throws. Each counts what was lost or refused; the goal is 0 for every request the server
 * accepted. Short configured timeouts, generous deadlines, no assertion on time.
 */
import { Agent, request } from 'node:http';
import { dribble, post, predictHead, rawClient } from '@mlops-lab/http/testing';
import { until } from '@mlops-lab/services/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServingModel } from './model.ts';
import { paymentBodies, trainPaymentsModel } from './payments-model.ts';
import { createServer, type ModelServer, type ServerOptions } from './server.ts';

const model = trainPaymentsModel({ size: 400, epochs: 30 });
const bodies = paymentBodies(21, 100);
const open: ModelServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => s.close()));
});

async function serve(opts: Partial<ServerOptions> = {}) {
  const server = createServer({ model, warmup: false, ...opts });
  open.push(server);
  const url = await server.start();
  await server.ready;
  return { server, url };
}

/** A model whose batches wait while `hold` is set; `waiting` counts the batches held. */
function holdable(inner: ServingModel) {
  const state = { hold: false, waiting: 0, release: () => {} };
  let gate = Promise.resolve();
  const m: ServingModel = {
    ...inner,
    async predictBatch(rows) {
      if (state.hold) {
        state.waiting++;
        await gate;
      }
      return inner.predictBatch(rows);
    },
  };
  return {
    model: m,
    state,
    close() {
      state.hold = true;
      gate = new Promise<void>((r) => {
        state.release = r;
      });
    },
  };
}

/** POST /predict over a given keep-alive agent, tagged `x-id`; resolves with the status and Connection header. */
function postOn(agent: Agent, url: string, id: string, body: unknown) {
  const { hostname, port } = new URL(url);
  const payload = JSON.stringify(body);
  return new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
    const req = request({ agent, host: hostname, port, path: '/predict', method: 'POST' }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection }));
      res.on('error', reject);
    });
    req.setHeader('content-type', 'application/json');
    req.setHeader('x-id', id);
    req.on('error', reject);
    req.end(payload);
  });
}

describe('model server under faults', () => {
  it('closes slow clients (byte-by-byte body or headers) with 408 while valid requests all succeed', async () => {
    const { server, url } = await serve({
      http: { headersTimeoutMs: 1000, requestTimeoutMs: 2000, checkIntervalMs: 100 },
    });
    const body = JSON.stringify(bodies[0]);
    const slowBodies = await Promise.all(
      Array.from({ length: 8 }, () => rawClient(url, predictHead(body.length))),
    );
    for (const c of slowBodies) dribble(c, body, 100);
    const slowHeads = await Promise.all(Array.from({ length: 4 }, () => rawClient(url)));
    for (const c of slowHeads) dribble(c, predictHead(body.length) + body, 100);
    const slow = [...slowBodies, ...slowHeads];

    const valid: number[] = [];
    for (let round = 0; round < 10; round++) {
      const replies = await Promise.all(bodies.slice(round * 6, round * 6 + 6).map((b) => post(url, b)));
      valid.push(...replies.map((r) => r.status));
    }
    await until(() => slow.every((c) => c.closed), 'every slow client to be closed');

    expect(valid).toHaveLength(60);
    expect(valid.every((s) => s === 200)).toBe(true);
    for (const c of slow) expect(c.received).toMatch(/^HTTP\/1\.1 408/);
    const text = await server.metrics.registry.metrics();
    expect(text).toContain('model_server_client_errors_total{reason="timeout"} 12');
    expect((await post(url, bodies[1])).status).toBe(200);
  });

  it('serves a request that arrives on a busy keep-alive socket during the drain (no 503), then closes it', async () => {
    const h = holdable(model);
    const { server, url } = await serve({ model: h.model });
    const accepted: string[] = [];
    server.app.server.on('request', (req) => accepted.push(String(req.headers['x-id'])));
    const one = (id: string) =>
      `POST /predict HTTP/1.1\r\nHost: x\r\nx-id: ${id}\r\nContent-Type: application/json\r\nContent-Length: ${
        JSON.stringify(bodies[2]).length
      }\r\n\r\n${JSON.stringify(bodies[2])}`;
    h.close();
    const client = await rawClient(url, one('first'));
    await until(() => h.state.waiting === 1, 'the first request to be inside the model');
    const closed = server.close();
    client.socket.write(one('second')); // the socket is busy, so the drain has not closed it
    await until(() => accepted.includes('second'), 'the server to read the second request');
    h.state.release();
    await closed;
    await client.done;
    const replies = client.received.split('HTTP/1.1 ').slice(1);
    expect(replies.map((r) => r.slice(0, 3))).toEqual(['200', '200']);
    expect(replies[1]).toMatch(/connection: close/i);
  });

  it('many keep-alive clients under load while the server closes: no accepted request fails', async () => {
    const slowish: ServingModel = {
      ...model,
      async predictBatch(rows) {
        await new Promise((r) => setTimeout(r, 2)); // keeps requests in flight when close begins
        return model.predictBatch(rows);
      },
    };
    const { server, url } = await serve({ model: slowish, batching: { maxBatch: 32, maxWaitMs: 1 } });
    const accepted = new Set<string>();
    server.app.server.on('request', (req) => accepted.add(String(req.headers['x-id'])));
    const results = new Map<string, number | string>();
    let closing = false;
    const clients = Array.from({ length: 16 }, async (_, c) => {
      const agent = new Agent({ keepAlive: true, maxSockets: 1 });
      for (let i = 0; i < 10_000; i++) {
        const id = `${c}-${i}`;
        try {
          results.set(id, (await postOn(agent, url, id, bodies[(c + i) % bodies.length])).status);
        } catch (err) {
          results.set(id, (err as NodeJS.ErrnoException).code ?? String(err));
          if (closing) break; // refused after close: the client would go to another replica
        }
      }
      agent.destroy();
    });
    await until(() => results.size >= 400, '400 requests before closing');
    closing = true;
    await server.close();
    await Promise.all(clients);

    const failedAccepted = [...accepted].filter((id) => results.get(id) !== 200);
    expect(failedAccepted).toEqual([]);
    expect(accepted.size).toBeGreaterThanOrEqual(400);
    // What failed was never read by the server: connection-level errors only, no HTTP error status.
    const failed = [...results].filter(([, r]) => r !== 200);
    expect(failed.every(([id, r]) => typeof r === 'string' && !accepted.has(id))).toBe(true);
  });

  it('a hung model call times out (503) and the requests behind it are served; close is not held', async () => {
    const poison = new WeakSet<number[]>();
    let entered = 0;
    const hanging: ServingModel = {
      ...model,
      preprocess(body) {
        const row = model.preprocess(body);
        if ((body as { amount: number }).amount === 4242.42) poison.add(row);
        return row;
      },
      predictBatch(rows) {
        if (!rows.some((r) => poison.has(r))) return model.predictBatch(rows);
        entered++;
        return new Promise(() => {}); // never settles
      },
    };
    const { server, url } = await serve({
      model: hanging,
      batching: { maxBatch: 8, maxWaitMs: 1, timeoutMs: 500 },
      drainTimeoutMs: 120_000, // beyond the test's own timeout: only a drain that is not held can pass
    });
    const stuck = post(url, { ...bodies[3], amount: 4242.42 });
    await until(() => entered === 1, 'the model to hang');
    const behind = await Promise.all(bodies.slice(0, 20).map((b) => post(url, b)));
    expect(behind.map((r) => r.status)).toEqual(Array(20).fill(200));
    const timedOut = await stuck;
    expect(timedOut.status).toBe(503);
    expect(await timedOut.json()).toMatchObject({ error: 'inference_timeout' });
    await server.close();
  });

  it('a model that throws (in its promise or synchronously) fails its own batch (500), serving goes on', async () => {
    for (const how of ['rejects', 'throws'] as const) {
      let broken = true;
      const flaky: ServingModel = {
        ...model,
        predictBatch(rows) {
          if (!broken) return model.predictBatch(rows);
          if (how === 'throws') throw new Error('model backend unavailable'); // not even a promise
          return Promise.reject(new Error('model backend unavailable'));
        },
      };
      const { server, url } = await serve({ model: flaky });
      const failed = await post(url, bodies[4]);
      expect(failed.status, how).toBe(500);
      expect(await failed.json()).toEqual({ error: 'internal', reason: 'internal error' });
      broken = false;
      const after = await Promise.all(bodies.slice(0, 20).map((b) => post(url, b)));
      expect(after.every((r) => r.status === 200)).toBe(true);
      const statuses = (await server.metrics.requests.get()).values;
      expect(statuses.find((v) => v.labels.status === '500')?.value).toBe(1);
    }
  });
});
