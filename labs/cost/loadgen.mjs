/**
 * The load generator of the cost lab (Q31), run as a child process so that its CPU is not counted as
 * the server's: the lab process (which hosts the server) measures its own CPU while this one sends.
 * A fixed list of request bodies, sent in order by `connections` keep-alive connections pulling from
 * one shared cursor, so every configuration sees the same requests (a fixed count, not a duration).
 * Plain ESM on node:http, so it starts in milliseconds without a TypeScript loader.
 *
 * Protocol (IPC): {type:'load', bodies} -> {type:'loaded'}; {type:'go', url, connections} ->
 * {type:'done', requests, non2xx, errors, seconds, p50, p99}; {type:'exit'}.
 */
import http from 'node:http';

let bodies = [];

function post(agent, url, body) {
  return new Promise((resolve) => {
    const t0 = performance.now();
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume(); // the reply body is not needed, only its end
        res.on('end', () => resolve({ status: res.statusCode ?? 0, ms: performance.now() - t0 }));
        res.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
      },
    );
    req.on('error', () => resolve({ status: 0, ms: performance.now() - t0 }));
    req.end(body);
  });
}

function quantile(sorted, q) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function run(url, connections) {
  const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
  const latencies = new Float64Array(bodies.length);
  let cursor = 0;
  let non2xx = 0;
  let errors = 0;
  const t0 = performance.now();
  const worker = async () => {
    for (let i = cursor++; i < bodies.length; i = cursor++) {
      const r = await post(agent, `${url}/predict`, bodies[i]);
      latencies[i] = r.ms;
      if (r.status === 0) errors++;
      else if (r.status < 200 || r.status >= 300) non2xx++;
    }
  };
  await Promise.all(Array.from({ length: connections }, worker));
  const seconds = (performance.now() - t0) / 1000;
  agent.destroy();
  const sorted = Array.from(latencies).sort((a, b) => a - b);
  return {
    type: 'done',
    requests: bodies.length,
    non2xx,
    errors,
    seconds,
    p50: quantile(sorted, 0.5),
    p99: quantile(sorted, 0.99),
  };
}

process.on('message', async (msg) => {
  if (msg.type === 'load') {
    bodies = msg.bodies;
    process.send({ type: 'loaded' });
  } else if (msg.type === 'go') {
    process.send(await run(msg.url, msg.connections));
  } else if (msg.type === 'exit') {
    process.disconnect();
  }
});
