/**
 * Compressed request bodies over real HTTP (content-encoding.ts): gzip, deflate and br decode to the
 * same answer as the plain body; an unknown or stacked coding is 415 naming the supported ones; a
 * corrupt body is 400; a zip bomb is 413 once its decoded bytes pass bodyLimit, and serving goes on.
 */
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { paymentBodies, trainPaymentsModel } from './payments-model.ts';
import { createServer, type ModelServer } from './server.ts';

const model = trainPaymentsModel({ size: 400, epochs: 30 });
const body = paymentBodies(3, 1)[0];
let server: ModelServer;
let url: string;
beforeAll(async () => {
  server = createServer({ model, warmup: false, bodyLimit: 16 * 1024 });
  url = await server.start();
  await server.ready;
});
afterAll(() => server.close());

const send = (payload: Buffer | string, encoding?: string) =>
  fetch(`${url}/predict`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(encoding ? { 'content-encoding': encoding } : {}) },
    body: payload,
  });

describe('content-encoding', () => {
  it('decodes gzip, deflate and br bodies to the same answer as the plain body', async () => {
    const json = JSON.stringify(body);
    const plain = (await (await send(json)).json()) as { score: number };
    for (const [encoding, bytes] of [
      ['gzip', gzipSync(json)],
      ['deflate', deflateSync(json)],
      ['br', brotliCompressSync(json)],
      ['GZip', gzipSync(json)],
    ] as const) {
      const res = await send(bytes, encoding);
      expect(res.status, encoding).toBe(200);
      expect(((await res.json()) as { score: number }).score).toBe(plain.score);
    }
  });

  it('refuses an unknown or stacked coding with 415 and the supported list', async () => {
    for (const encoding of ['compress', 'zstd', 'gzip, br']) {
      const res = await send(gzipSync(JSON.stringify(body)), encoding);
      expect(res.status, encoding).toBe(415);
      expect(res.headers.get('accept-encoding')).toBe('gzip, deflate, br');
      expect(((await res.json()) as { reason: string }).reason).toMatch(
        /content-encoding .* is not supported/,
      );
    }
  });

  it('answers a body that is not valid in its coding with 400 and a reason', async () => {
    const res = await send(Buffer.from('this is not gzip at all'), 'gzip');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: 'invalid_encoding', reason: 'body is not valid gzip' });
  });

  it('refuses a zip bomb with 413 once the decoded bytes pass bodyLimit, and keeps serving', async () => {
    // 10 MB of spaces inside a JSON object: about 10 KB gzipped, so within the limit on the wire.
    const bomb = gzipSync(
      Buffer.concat([Buffer.from('{"amount":'), Buffer.alloc(10_000_000, ' '), Buffer.from('1}')]),
    );
    expect(bomb.length).toBeLessThan(16 * 1024);
    const res = await send(bomb, 'gzip');
    expect(res.status).toBe(413);
    expect(((await res.json()) as { reason: string }).reason).toMatch(/too large/);
    expect((await send(JSON.stringify(body))).status).toBe(200);
  });
});
