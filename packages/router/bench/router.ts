/**
 * Benchmark of @mlops-lab/router (Q15, Q29), every figure beside its baseline from the same run:
 * (a) router overhead: the same load straight to the model server and through the router; the
 *     client-side p50 / p99 difference, and the router's own overhead histogram (target p99 <= 1 ms);
 * (b) shadow traffic with a challenger 10x slower than the champion: user-facing p50 / p99 with the
 *     shadow off, on for every request, on for a 10% sample, and on the user's path (the
 *     slow-challenger fault) for contrast. Target: shadow on leaves the user p99 unchanged within noise.
 * Processes: the router here; each model server (the stand-in of src/stand-in-upstream.ts: the
 * router sees a model server only through HTTP) and the load generator (benchkit's runLoad:
 * keep-alive clients in a closed loop, every request timed) in their own, as in production: a
 * challenger's work and the client's must not share the router's event loop.
 *
 *   pnpm bench router [--quick] [--requests N] [--concurrency C]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { flag, intArg, type LatencyMs, num, report, runLoad } from '@mlops-lab/benchkit';
import { histogramQuantile } from '@mlops-lab/http';
import { paymentBodies } from '@mlops-lab/payments';
import { createRouter, httpUpstream, type RouterOptions } from '../src/router.ts';
import { staticRoutes } from '../src/routes.ts';

const quick = flag('quick');
const requests = intArg('requests', quick ? 3000 : 12_000);
const concurrency = intArg('concurrency', 16);
const procs = (name: string) => fileURLToPath(new URL(`./procs/${name}`, import.meta.url));

// 5,000 user keys (the router hashes them for its sticky split and shadow sample), each with one of
// 1,000 payment bodies; the generator cycles through the list.
const bodies = paymentBodies(5, 1000).map((b) => JSON.stringify(b));
const traffic = Array.from({ length: 5000 }, (_, i) => ({
  body: bodies[i % bodies.length],
  headers: { 'x-request-key': `user-${i}` },
}));

/** Runs a bench process with this process's loader flags (tsx); resolves with its stdout lines. */
function run(file: string, args: string[]): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, [...process.execArgv, procs(file), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

async function load(url: string, clients = concurrency, n = requests): Promise<LatencyMs> {
  const r = await runLoad({
    url: `${url}/predict`,
    headers: { 'content-type': 'application/json' },
    requests: traffic,
    connections: clients,
    count: n,
  });
  if (r.ok !== n)
    throw new Error(
      `load: ${r.ok} of ${n} answered 2xx; ${JSON.stringify(r.statuses)} ${JSON.stringify(r.errors)}`,
    );
  return r.latencyMs;
}

async function upstream(version: string, delayMs: number) {
  const { child, lines } = run('upstream.ts', [version, String(delayMs)]);
  const url = (await lines.next()).value as string;
  await lines.next(); // "ready": loaded and warm
  return { url, stop: () => child.kill('SIGTERM') };
}

async function viaRouter(opts: Omit<RouterOptions, 'routes'>, sequential = false) {
  const router = createRouter({ ...opts, routes: staticRoutes({ '1': 100 }) });
  const url = await router.start();
  await load(url); // warms the router's path and connections; not measured
  await router.shadowIdle();
  router.metrics.overhead.reset();
  router.metrics.shadow.reset();
  const lat = sequential ? await load(url, 1, Math.min(requests, 2000)) : await load(url);
  await router.shadowIdle();
  const overheadP99 = (await histogramQuantile(router.metrics.overhead, 0.99)) * 1000;
  const { values } = await router.metrics.shadow.get();
  const mirrored = Object.fromEntries(values.map((v) => [v.labels.outcome, v.value]));
  await router.close();
  return { lat, overheadP99, mirrored };
}

async function main(): Promise<void> {
  const champion = await upstream('1', 0);
  await load(champion.url); // warm-up of the server and the loopback path
  const direct = await load(champion.url);
  const direct1 = await load(champion.url, 1, Math.min(requests, 2000));
  // The challenger: the same stand-in, each reply delayed to 10x the champion's direct p50.
  const delayMs = 10 * direct.p50;
  const slow = await upstream('2', delayMs);
  const upstreams = () => ({ '1': httpUpstream('1', champion.url), '2': httpUpstream('2', slow.url) });
  try {
    const plain1 = await viaRouter({ upstreams: upstreams() }, true);
    const plain = await viaRouter({ upstreams: upstreams() });
    const again = await viaRouter({ upstreams: upstreams() }); // the same case twice: the noise band
    const shadow = { version: '2', share: 1, timeoutMs: 1000 }; // default bound: 64 shadow calls in flight
    const mirrored = await viaRouter({ upstreams: upstreams(), shadow });
    const sampled = await viaRouter({ upstreams: upstreams(), shadow: { ...shadow, share: 0.1 } });
    const onPath = await viaRouter({ upstreams: upstreams(), shadow, faults: { shadowOnUserPath: true } });
    const both = (lat: LatencyMs) => ({ p50: lat.p50, p99: lat.p99 });
    const signed = (x: number) => (x >= 0 ? `+${num(x)}` : num(x));
    const added = (lat: LatencyMs, base: LatencyMs) =>
      `p50 ${signed(lat.p50 - base.p50)} / p99 ${signed(lat.p99 - base.p99)} ms`;
    report({
      bench: 'router',
      title:
        `router benchmark: ${requests} requests per case, ${concurrency} keep-alive clients, loopback; ` +
        `challenger delayed ${delayMs.toFixed(1)} ms per reply (10x the champion's p50)`,
      columns: [
        { key: 'p50', unit: 'ms' },
        { key: 'p99', unit: 'ms' },
      ],
      rows: [
        { label: 'one client: direct', key: 'direct1', values: both(direct1), note: '(no queueing)' },
        {
          label: 'one client: through the router',
          key: 'router1',
          vs: 'direct1',
          values: both(plain1.lat),
          note: `${added(plain1.lat, direct1)}: the router's added latency`,
        },
        {
          label: 'router overhead inside the router',
          key: 'overhead',
          values: { p99: plain1.overheadP99 },
          note: 'an upper bound (histogram bucket); target <= 1 ms; handler time beyond the model call',
        },
        { label: `${concurrency} clients: direct`, key: 'direct', values: both(direct) },
        {
          label: `${concurrency} clients: through the router`,
          key: 'router',
          vs: 'direct',
          values: both(plain.lat),
          note: `${added(plain.lat, direct)} (queueing on 2 cores included)`,
        },
        {
          label: `${concurrency} clients: router, again`,
          key: 'again',
          vs: 'router',
          values: both(again.lat),
          note: 'the same case twice: the noise band',
        },
        {
          label: `${concurrency} clients: + shadow of every request`,
          key: 'shadow',
          vs: 'router',
          values: both(mirrored.lat),
          note: `shadow calls ${JSON.stringify(mirrored.mirrored)}`,
        },
        {
          label: `${concurrency} clients: + shadow of 10%`,
          key: 'sampled',
          vs: 'router',
          values: both(sampled.lat),
          note: `shadow calls ${JSON.stringify(sampled.mirrored)}`,
        },
        {
          label: `${concurrency} clients: shadow on user path`,
          key: 'onPath',
          vs: 'router',
          values: both(onPath.lat),
          note: 'the slow-challenger fault',
        },
      ],
      json: {
        requests,
        concurrency,
        directP50Ms: direct.p50,
        directP99Ms: direct.p99,
        routerP50Ms: plain.lat.p50,
        routerP99Ms: plain.lat.p99,
        sequentialDirectP50Ms: direct1.p50,
        sequentialDirectP99Ms: direct1.p99,
        sequentialRouterP50Ms: plain1.lat.p50,
        sequentialRouterP99Ms: plain1.lat.p99,
        routerOverheadP99MsUpperBound: plain1.overheadP99,
        challengerDelayMs: delayMs,
        shadowP50Ms: mirrored.lat.p50,
        shadowP99Ms: mirrored.lat.p99,
        mirrored: mirrored.mirrored,
        sampledShadowP99Ms: sampled.lat.p99,
        onPathP99Ms: onPath.lat.p99,
      },
    });
  } finally {
    champion.stop();
    slow.stop();
  }
}

await main();
