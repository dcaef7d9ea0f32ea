/**
 * The server's prediction-log hook (Q26): every served /predict is appended once with its request id,
 * version, features, score, decision, latency and event time; a failed inference is appended with its
 * error; warm-up requests are not traffic; a log that refuses a record never fails the reply.
 */

import type { PredictionRecord } from '@mlops-lab/monitoring';
import { describe, expect, it } from 'vitest';
import type { ServingModel } from './model.ts';
import { paymentBodies, trainPaymentsModel } from './payments-model.ts';
import { replay } from './replay.ts';
import { createServer, EVENT_TIME_HEADER, REQUEST_ID_HEADER } from './server.ts';

const model = trainPaymentsModel({ size: 600, epochs: 50 });
const bodies = paymentBodies(9, 3);

async function withServer(
  m: ServingModel,
  append: (r: PredictionRecord) => void,
  run: (url: string) => Promise<void>,
) {
  const server = createServer({ model: m, warmup: { batchSizes: [1] }, predictionLog: { append } });
  const url = await server.start();
  await server.ready;
  try {
    await run(url);
  } finally {
    await server.close();
  }
}

const send = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });

describe('prediction log hook', () => {
  it('replay: each request logged under its id and event time; answers counted by status and version', async () => {
    const logged: PredictionRecord[] = [];
    const requests = [
      ...bodies.map((body, i) => ({ requestId: `ev-${i}`, at: 1_600_000_000_000 + i, body })),
      { requestId: 'ev-bad', at: 1_600_000_000_999, body: {} },
    ];
    let replayed: Awaited<ReturnType<typeof replay>> | undefined;
    await withServer(
      model,
      (r) => logged.push(r),
      async (url) => {
        replayed = await replay(url, requests, 2);
      },
    );
    expect(replayed).toEqual({ ok: bodies.length, failed: 1, versions: { [model.version]: bodies.length } });
    expect(logged.map((r) => [r.requestId, r.at]).sort()).toEqual(
      bodies.map((_, i) => [`ev-${i}`, 1_600_000_000_000 + i]).sort(),
    );
  });

  it('appends each served prediction once, keyed by the caller request id, at the event time', async () => {
    const logged: PredictionRecord[] = [];
    await withServer(
      model,
      (r) => logged.push(r),
      async (url) => {
        for (const [i, body] of bodies.entries()) {
          const res = await send(url, body, {
            [REQUEST_ID_HEADER]: `req-${i}`,
            [EVENT_TIME_HEADER]: String(1_700_000_000_000 + i),
          });
          expect(res.status).toBe(200);
        }
      },
    );
    expect(logged.map((r) => [r.requestId, r.at])).toEqual(
      bodies.map((_, i) => [`req-${i}`, 1_700_000_000_000 + i]),
    );
    expect(logged[0]).toMatchObject({ modelVersion: model.version, features: bodies[0], error: null });
    expect(logged[0].score).toBeGreaterThanOrEqual(0);
    expect(logged[0].latencyMs).toBeGreaterThan(0);
  });

  it('appends a failed inference with its error, and a throwing log does not fail the reply', async () => {
    const broken: ServingModel = {
      ...model,
      predictBatch: async () => Promise.reject(new Error('model exploded')),
    };
    const logged: PredictionRecord[] = [];
    const server = createServer({
      model: broken,
      warmup: false,
      predictionLog: { append: (r) => logged.push(r) },
    });
    const url = await server.start();
    await server.ready;
    const res = await send(url, bodies[0], { [REQUEST_ID_HEADER]: 'bad-1' });
    expect(res.status).toBeGreaterThanOrEqual(500);
    await server.close();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatchObject({
      requestId: 'bad-1',
      score: null,
      error: expect.stringMatching(/model exploded/),
    });

    await withServer(
      model,
      () => {
        throw new Error('refused');
      },
      async (u) => {
        expect((await send(u, bodies[1])).status).toBe(200);
        const metrics = await (await fetch(`${u}/metrics`)).text();
        expect(metrics).toMatch(/model_server_prediction_log_errors_total 1/);
      },
    );
  });
});
