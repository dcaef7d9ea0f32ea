/**
 * Load generator for the serving lab (Q16), run as a child process so its CPU is not billed to the
 * server: the lab's process.cpuUsage() then measures the server alone. autocannon cycles through the
 * request bodies on every connection. Protocol (IPC): sends {ready}, receives the plan, sends the result.
 */
import autocannon from 'autocannon';

process.send({ ready: true });
process.once('message', async ({ url, bodies, connections, duration }) => {
  const cpu0 = process.cpuUsage();
  const r = await autocannon({
    url,
    connections,
    duration,
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    requests: bodies.map((body) => ({ method: 'POST', body })),
  });
  const cpu = process.cpuUsage(cpu0);
  process.send({
    requests: r.requests.total,
    ok: r['2xx'],
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    p50: r.latency.p50,
    p99: r.latency.p99,
    mean: r.latency.mean,
    seconds: r.duration,
    cpuMs: (cpu.user + cpu.system) / 1000,
  });
  process.disconnect();
});
