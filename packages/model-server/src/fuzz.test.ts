/**
 * Reliability (issue "Reliability"): hundreds of random and malformed /predict bodies. Every reply is
 * a 4xx with a reason, the server keeps serving valid requests, and heap growth stays bounded.
 */
import { createRng } from '@mlops-lab/datagen';
import { PaymentRequest } from '@mlops-lab/payments';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentBodies, trainPaymentsModel } from './payments-model.ts';
import { createServer, type ModelServer } from './server.ts';

let server: ModelServer;
let url: string;
const valid = paymentBodies(3, 20);
const REQUIRED = PaymentRequest.required ?? [];

beforeAll(async () => {
  server = createServer({
    model: trainPaymentsModel({ size: 400, epochs: 30 }),
    cache: { enabled: true, max: 1000, ttlMs: 60_000 },
    dedup: true,
    bodyLimit: 16 * 1024,
  });
  url = await server.start();
  await server.ready;
});
afterAll(() => server.close());

const stream = createRng(42);
const rng = () => stream.next();
const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)];

function randomValue(depth: number): unknown {
  const kind = Math.floor(rng() * (depth > 3 ? 5 : 7));
  if (kind === 0) return rng() * 1e6 - 5e5;
  if (kind === 1) return pick(['', 'web', 'x'.repeat(200), '12', 'NaN', '\u0000']);
  if (kind === 2) return pick([true, false, null]);
  if (kind === 3) return pick([-1, 24, 1e308, 3.5, 0]);
  if (kind === 4) return Math.floor(rng() * 100);
  if (kind === 5) return Array.from({ length: Math.floor(rng() * 4) }, () => randomValue(depth + 1));
  return Object.fromEntries(
    Array.from({ length: Math.floor(rng() * 4) }, (_, i) => [`k${i}`, randomValue(depth + 1)]),
  );
}

/** One malformed body as raw text: a family of faults chosen at random. */
function malformed(i: number): string {
  const base = { ...valid[i % valid.length] } as Record<string, unknown>;
  switch (i % 9) {
    case 0: // wrong type
      base[pick(REQUIRED)] = pick(['12', true, null, [1], { a: 1 }, '']);
      return JSON.stringify(base);
    case 1: // missing required field
      delete base[pick(REQUIRED)];
      return JSON.stringify(base);
    case 2: // huge array inside the limit
      base.amount = Array.from({ length: 2000 }, (_, j) => j);
      return JSON.stringify(base);
    case 3: {
      // deep nesting
      const depth = 500 + Math.floor(rng() * 3000);
      return `{"amount":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    }
    case 4: // over the body limit
      return JSON.stringify({ ...base, pad: 'x'.repeat(20_000 + Math.floor(rng() * 50_000)) });
    case 5: // invalid JSON
      return pick(['{', '{"amount":}', 'nul', '{"amount":1,,}', '\u00ff\u00fe', `{"a":"${'\\'.repeat(3)}"}`]);
    case 6: // a random JSON value: a primitive, an array or an object of unknown keys
      return JSON.stringify(randomValue(0));
    case 7: // an unknown extra field or prototype pollution attempt
      return pick([
        JSON.stringify({ ...base, extra: 1 }),
        `{"__proto__":{"admin":true},${JSON.stringify(base).slice(1)}`,
      ]);
    default: // out-of-range numbers
      return JSON.stringify({ ...base, hourOfDay: pick([-1, 24, 2.5, 1e9]) });
  }
}

describe('fuzzing /predict', () => {
  it('answers every malformed body with a 4xx and a reason, and keeps serving', async () => {
    global.gc?.();
    const heap0 = process.memoryUsage().heapUsed;
    const statuses = new Map<number, number>();
    for (let i = 0; i < 360; i++) {
      const body = malformed(i);
      const res = await fetch(`${url}/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body,
      });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      if (res.status < 400 || res.status >= 500)
        throw new Error(`status ${res.status} for ${body.slice(0, 120)}`);
      const out = JSON.parse(text);
      expect(typeof out.reason).toBe('string');
      expect(out.reason.length).toBeGreaterThan(0);
      if (res.status === 400 && i % 9 === 1) expect(Object.keys(valid[0])).toContain(out.field);
    }
    expect(statuses.get(400)).toBeGreaterThan(200);
    expect(statuses.get(413)).toBeGreaterThan(10);
    // A text body never reaches the model either.
    const txt = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'text/plain' },
      body: 'hi',
    });
    expect(txt.status).toBeGreaterThanOrEqual(400);
    expect(txt.status).toBeLessThan(500);
    // Still serving.
    for (const b of valid.slice(0, 5))
      expect(
        (
          await fetch(`${url}/predict`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(b),
          })
        ).status,
      ).toBe(200);
    global.gc?.();
    const growthMb = (process.memoryUsage().heapUsed - heap0) / 2 ** 20;
    expect(growthMb).toBeLessThan(64);
  });

  it('names the field and the reason', async () => {
    const res = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...valid[0], amount: 'ten' }),
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ field: 'amount', reason: 'must be number' });
    const missing = await fetch(`${url}/predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...valid[0], channel: undefined }),
    });
    expect(await missing.json()).toMatchObject({ field: 'channel' });
  });
});
