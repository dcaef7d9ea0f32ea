/**
 * The load generator every lab and benchmark uses to put HTTP load on a server, run as its own
 * process (load.ts starts it) so the client's work never shares the event loop, or the CPU
 * figure, of the server under test. A closed loop, as autocannon and wrk run one: `connections`
 * keep-alive sockets, each sending its next request as soon as the previous reply has ended.
 *
 * Protocol. stdin: one JSON plan, then end of input:
 *   { url, method = "POST", headers = {}, requests: [{ body?, headers? }, ...], connections,
 *     count = requests.length | seconds, timeoutMs = 10000 }
 * Every connection takes the next request index from one shared cursor, and index i sends
 * requests[i % requests.length]: with a count, each request of the list goes out exactly once per
 * cycle, in order, whatever the number of connections; with `seconds`, no request starts after the
 * time is up (the ones in flight finish).
 * stdout: `{"type":"start"}` once the plan is read, just before the first request (a caller that
 * measures its own CPU starts there), then one result line:
 *   { type: "result", sent, replies, ok, statuses: { "200": n, ... }, failed, errors: { code: n },
 *     seconds, latenciesMs: [ms, ...], cpuMs }
 * Latency is from sending the request to the end of the reply, one figure per reply whatever its
 * status, rounded to the microsecond; load.ts summarises them (no histogram buckets, so
 * sub-millisecond quantiles stay exact). `failed` counts requests that got no reply, by error code in `errors`
 * ("timeout" once timeoutMs passes without headers or body). A bad plan: a one-line message on
 * stderr, exit code 2.
 *
 * The client is undici's Pool (the HTTP client behind Node's fetch): on loopback it sends about
 * four times the requests of node:http per CPU-second, and a generator that needs a core of its
 * own to keep up competes with the server for the machine. Plain ESM, so it starts without a
 * TypeScript loader.
 */
import { Pool } from 'undici';

function fail(message) {
  process.stderr.write(`load generator: ${message}\n`);
  process.exit(2);
}

async function readPlan() {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += chunk;
  let plan;
  try {
    plan = JSON.parse(text);
  } catch {
    fail('stdin is not one JSON plan');
  }
  const positive = (x) => Number.isFinite(x) && x > 0;
  if (typeof plan?.url !== 'string') fail('plan.url must be a string');
  if (!Array.isArray(plan.requests) || plan.requests.length === 0)
    fail('plan.requests must be a non-empty list');
  if (!Number.isSafeInteger(plan.connections) || plan.connections <= 0)
    fail('plan.connections must be a positive integer');
  if (plan.count !== undefined && plan.seconds !== undefined) fail('plan takes a count or seconds, not both');
  if (plan.count !== undefined && !(Number.isSafeInteger(plan.count) && plan.count > 0))
    fail('plan.count must be a positive integer');
  if (plan.seconds !== undefined && !positive(plan.seconds)) fail('plan.seconds must be a positive number');
  if (plan.timeoutMs !== undefined && !positive(plan.timeoutMs))
    fail('plan.timeoutMs must be a positive number');
  return plan;
}

const TIMEOUTS = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

/** One request; resolves (never rejects) with its status, or the code of the error that cost its reply. */
async function send(pool, path, method, headers, body) {
  const t0 = performance.now();
  try {
    const res = await pool.request({ path, method, headers, body });
    // Read to the end, keeping nothing: the reply body is not needed, only its end.
    await res.body.dump({ limit: Number.MAX_SAFE_INTEGER });
    return { status: res.statusCode, ms: performance.now() - t0 };
  } catch (e) {
    const code = e.code ?? e.message;
    return { error: TIMEOUTS.has(code) ? 'timeout' : code };
  }
}

async function run(plan) {
  const url = new URL(plan.url);
  const timeoutMs = plan.timeoutMs ?? 10_000;
  const pool = new Pool(url.origin, {
    connections: plan.connections,
    pipelining: 1,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
  });
  const path = `${url.pathname}${url.search}`;
  const method = plan.method ?? 'POST';
  // Headers merged once per distinct request, not once per send.
  const prepared = plan.requests.map((r) => ({ body: r.body, headers: { ...plan.headers, ...r.headers } }));
  const count = plan.seconds === undefined ? (plan.count ?? prepared.length) : Number.POSITIVE_INFINITY;
  const latencies = [];
  const statuses = {};
  const errors = {};
  let ok = 0;
  let failed = 0;
  let cursor = 0;

  process.stdout.write(`${JSON.stringify({ type: 'start' })}\n`);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const deadline = plan.seconds === undefined ? Number.POSITIVE_INFINITY : t0 + plan.seconds * 1000;
  const lane = async () => {
    for (let i = cursor++; i < count && performance.now() < deadline; i = cursor++) {
      const { body, headers } = prepared[i % prepared.length];
      const r = await send(pool, path, method, headers, body);
      if (r.error !== undefined) {
        failed++;
        errors[r.error] = (errors[r.error] ?? 0) + 1;
        continue;
      }
      latencies.push(r.ms);
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      if (r.status >= 200 && r.status < 300) ok++;
    }
  };
  await Promise.all(Array.from({ length: plan.connections }, lane));
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  await pool.close();

  return {
    type: 'result',
    sent: latencies.length + failed,
    replies: latencies.length,
    ok,
    statuses,
    failed,
    errors,
    seconds,
    // Every latency, to the microsecond: the caller summarises them with the project's one quantile.
    latenciesMs: latencies.map((ms) => Math.round(ms * 1000) / 1000),
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

process.stdout.write(`${JSON.stringify(await run(await readPlan()))}\n`);
