/**
 * The load generator of `pnpm bench router`, in its own process so its CPU stays off the router's
 * event loop: a closed loop of keep-alive clients (undici), each request timed with performance.now().
 * Prints one JSON line: the sorted latencies in ms.   usage: loadgen.ts <url> <requests> <concurrency>
 */
import { paymentBodies } from '@mlops-lab/model-server';
import { Pool } from 'undici';

const [url, n, c] = process.argv.slice(2);
const requests = Number(n);
const concurrency = Number(c);
const bodies = paymentBodies(5, 1000).map((b) => JSON.stringify(b));
const pool = new Pool(url, { connections: concurrency });
const latencies: number[] = [];
let next = 0;
const client = async () => {
  for (let i = next++; i < requests; i = next++) {
    const t0 = performance.now();
    const res = await pool.request({
      path: '/predict',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-key': `user-${i % 5000}` },
      body: bodies[i % bodies.length],
    });
    await res.body.arrayBuffer();
    if (res.statusCode !== 200) throw new Error(`status ${res.statusCode}`);
    latencies.push(performance.now() - t0);
  }
};
await Promise.all(Array.from({ length: concurrency }, client));
await pool.close();
console.log(JSON.stringify(latencies.sort((a, b) => a - b)));
