/**
 * The load generator against a real HTTP server in this process: what it sends (each body once,
 * cycling, with the merged headers), what it counts (statuses, requests without a reply by error
 * code) and how it refuses a bad plan. No duration is asserted.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { non2xx, runLoad, summariseLatency } from './load.ts';

const seen: { body: string; key: string | undefined; tag: string | undefined }[] = [];
let server: Server;
let base = '';

function read(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      body += c;
    });
    req.on('end', () => resolve(body));
  });
}

beforeAll(async () => {
  server = createServer(async (req, res) => {
    if (req.url === '/never') return; // never answers: the generator's timeout must end it
    const body = await read(req);
    seen.push({ body, key: req.headers['x-key'] as string, tag: req.headers['x-tag'] as string });
    res.statusCode = body.startsWith('bad') ? 400 : 200;
    res.end('{}');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('summariseLatency', () => {
  it('reports nearest-rank quantiles: figures some reply really took (numpy inverted_cdf)', () => {
    // 1..100 ms shuffled: p50 is the 50th value, p90 the 90th, p99 the 99th; a linear quantile would give 50.5.
    const ms = Array.from({ length: 100 }, (_, i) => ((i * 37) % 100) + 1);
    expect(summariseLatency(ms)).toEqual({ min: 1, mean: 50.5, p50: 50, p90: 90, p99: 99, max: 100 });
    expect(summariseLatency([7])).toEqual({ min: 7, mean: 7, p50: 7, p90: 7, p99: 7, max: 7 });
  });
});

describe('runLoad', () => {
  it('sends each request of the list exactly once by default, whatever the connections', async () => {
    seen.length = 0;
    const bodies = Array.from({ length: 50 }, (_, i) => (i % 10 === 9 ? `bad ${i}` : `good ${i}`));
    const r = await runLoad({ url: `${base}/p`, requests: bodies.map((body) => ({ body })), connections: 7 });
    expect(seen.map((s) => s.body).sort()).toEqual([...bodies].sort());
    expect(r).toMatchObject({ sent: 50, replies: 50, ok: 45, statuses: { 200: 45, 400: 5 }, failed: 0 });
    expect(non2xx(r)).toBe(5);
    const { min, p50, p90, p99, max, mean } = r.latencyMs;
    expect(min).toBeLessThanOrEqual(p50);
    expect([p50 <= p90, p90 <= p99, p99 <= max, mean <= max]).toEqual([true, true, true, true]);
    // This process served every request while the generator ran: its CPU is what a lab bills the server.
    expect(r.callerCpuMs).toBeGreaterThan(0);
  });

  it('cycles through the list for a count, with the plan headers merged under each request', async () => {
    seen.length = 0;
    const r = await runLoad({
      url: `${base}/p`,
      headers: { 'x-tag': 'all', 'x-key': 'default' },
      requests: [{ body: 'a', headers: { 'x-key': 'k1' } }, { body: 'b' }, { body: 'c' }],
      connections: 1,
      count: 7,
    });
    expect(r.sent).toBe(7);
    // One connection: the shared cursor's order is the order the server sees.
    expect(seen.map((s) => s.body).join('')).toBe('abcabca');
    expect(seen[0]).toEqual({ body: 'a', key: 'k1', tag: 'all' });
    expect(seen[1]).toEqual({ body: 'b', key: 'default', tag: 'all' });
  });

  it('runs for a duration and loses no request: every one sent got its reply', async () => {
    seen.length = 0;
    const r = await runLoad({ url: `${base}/p`, requests: [{ body: 'x' }], connections: 4, seconds: 0.2 });
    expect(r.sent).toBeGreaterThan(0);
    expect(r.replies).toBe(r.sent);
    expect(seen).toHaveLength(r.sent);
  });

  it('counts requests without a reply by error code', async () => {
    const refused = await runLoad({ url: 'http://127.0.0.1:1/p', requests: [{}], connections: 2, count: 4 });
    expect(refused).toMatchObject({ sent: 4, replies: 0, failed: 4, errors: { ECONNREFUSED: 4 } });
    expect(refused.latencyMs.p50).toBeNaN();
    const silent = await runLoad({
      url: `${base}/never`,
      requests: [{ body: 'x' }],
      connections: 1,
      count: 1,
      timeoutMs: 100,
    });
    expect(silent).toMatchObject({ failed: 1, errors: { timeout: 1 } });
  });

  it('refuses a bad plan with the reason', async () => {
    await expect(runLoad({ url: `${base}/p`, requests: [], connections: 1 })).rejects.toThrow(
      'plan.requests must be a non-empty list',
    );
    await expect(
      runLoad({ url: `${base}/p`, requests: [{}], connections: 1, count: 2, seconds: 1 }),
    ).rejects.toThrow('plan takes a count or seconds, not both');
    await expect(runLoad({ url: `${base}/p`, requests: [{}], connections: 0 })).rejects.toThrow(
      'plan.connections must be a positive integer',
    );
  });
});
