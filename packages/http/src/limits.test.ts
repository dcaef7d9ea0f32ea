/**
 * The shared HTTP limits (http-limits.ts) on a bare Fastify app, as the router builds it: Node's
 * 400 / 431 replies counted, the connection cap, requests per socket, the keep-alive timeout, and
 * refused settings. Raw sockets where fetch() would not misbehave; no assertion on time.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import { type HttpLimits, httpServerOptions } from './limits.ts';
import { predictHead, rawClient } from './testing/clients.ts';

const open: FastifyInstance[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((a) => a.close()));
});

async function serve(limits: HttpLimits = {}) {
  const registry = new Registry();
  const app = Fastify(httpServerOptions(limits, { registry, prefix: 'test' }));
  app.post('/predict', async () => ({ ok: true }));
  open.push(app);
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const series = async () => registry.metrics();
  return { app, url, series };
}

describe('http limits', () => {
  it('counts what Node answers before any handler: malformed HTTP (400) and oversized headers (431)', async () => {
    const { url, series } = await serve();
    const garbage = await rawClient(url, 'NOT HTTP AT ALL\r\n\r\n');
    await garbage.done;
    expect(garbage.received).toMatch(/^HTTP\/1\.1 400/);
    const huge = await rawClient(url, `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
    await huge.done;
    expect(huge.received).toMatch(/^HTTP\/1\.1 431/);
    const text = await series();
    expect(text).toContain('test_client_errors_total{reason="malformed"} 1');
    expect(text).toContain('test_client_errors_total{reason="header_overflow"} 1');
  });

  it('closes a connection over the cap at once, counts it, and serves again once one is free', async () => {
    const { url, series } = await serve({ maxConnections: 3 });
    const held = await Promise.all([0, 1, 2].map(() => rawClient(url)));
    const extra = await rawClient(url, `${predictHead(2)}{}`);
    await extra.done;
    expect(extra.received).toBe(''); // closed without a reply
    expect(await series()).toContain('test_connections_dropped_total 1');
    expect(held.every((c) => !c.closed)).toBe(true);
    held[0].socket.destroy();
    await held[0].done;
    const again = await rawClient(url, `${predictHead(2)}{}`);
    await new Promise<void>((r) => again.socket.once('data', () => r()));
    expect(again.received).toMatch(/^HTTP\/1\.1 200/);
    for (const c of [...held, again]) c.socket.destroy();
  });

  it('answers the last allowed request on a socket with Connection: close, then closes it', async () => {
    const { url } = await serve({ maxRequestsPerSocket: 2 });
    const request = `${predictHead(2)}{}`;
    const client = await rawClient(url, request);
    client.socket.write(request);
    await client.done;
    const replies = client.received.split('HTTP/1.1 ').slice(1);
    expect(replies).toHaveLength(2);
    expect(replies[0]).toMatch(/connection: keep-alive/i);
    expect(replies[1]).toMatch(/connection: close/i);
  });

  it('closes an idle keep-alive socket after the keep-alive timeout, advertising it', async () => {
    const { url } = await serve({ keepAliveTimeoutMs: 300 });
    const client = await rawClient(url, `${predictHead(2)}{}`);
    await client.done; // without the timeout this socket would stay open: the test would time out
    expect(client.received).toMatch(/^HTTP\/1\.1 200/);
    expect(client.received).toMatch(/keep-alive: timeout=0/i); // 300 ms, advertised in whole seconds
  });

  it('refuses settings Node would refuse or that mean nothing', () => {
    expect(() => httpServerOptions({ headersTimeoutMs: 5000, requestTimeoutMs: 1000 })).toThrow(
      /headersTimeoutMs must not exceed requestTimeoutMs/,
    );
    expect(() => httpServerOptions({ maxConnections: 0 })).toThrow(
      /maxConnections must be a positive integer/,
    );
  });
});
