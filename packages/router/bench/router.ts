/**
 * Benchmark of @mlops-lab/router (Q15, Q29), every figure beside its baseline from the same run:
 * (a) router overhead: the same load straight to the model server and through the router; the
 *     client-side p50 / p99 difference, and the router's own overhead histogram (target p99 <= 1 ms);
 * (b) shadow traffic with a challenger 10x slower than the champion: user-facing p50 / p99 with the
 *     shadow off, on for every request, on for a 10% sample, and on the user's path (the
 *     slow-challenger fault) for contrast. Target: shadow on leaves the user p99 unchanged within noise.
 * Processes: the router here; each model server (the logistic payments model behind
 * @mlops-lab/model-server) and the load generator (keep-alive undici clients in a closed loop, each
 * request timed with performance.now()) in their own, as in production: a challenger's work and the
 * client's must not share the router's event loop.
 *
 *   pnpm bench router [--quick] [--requests N] [--concurrency C]
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { flag, intArg } from '@mlops-lab/benchkit';
import { histogramQuantile } from '@mlops-lab/model-server';
import { createRouter, httpUpstream, type RouterOptions } from '../src/router.ts';
import { staticRoutes } from '../src/routes.ts';

const quick = flag('quick');
const requests = intArg('requests', quick ? 3000 : 12_000);
const concurrency = intArg('concurrency', 16);
const procs = (name: string) => fileURLToPath(new URL(`./procs/${name}`, import.meta.url));

const pct = (sorted: number[], q: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

/** Runs a bench process with this process's loader flags (tsx); resolves with its stdout lines. */
function run(file: string, args: string[]): { child: ChildProcess; lines: AsyncIterator<string> } {
  const child = spawn(process.execPath, [...process.execArgv, procs(file), ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return { child, lines: createInterface({ input: child.stdout! })[Symbol.asyncIterator]() };
}

async function load(url: string, clients = concurrency, n = requests): Promise<number[]> {
  const { lines } = run('loadgen.ts', [url, String(n), String(clients)]);
  const first = await lines.next();
  if (first.done) throw new Error('load generator exited without output');
  return JSON.parse(first.value) as number[];
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
  // The challenger: the same model, each batch delayed to 10x the champion's direct p50.
  const delayMs = 10 * pct(direct, 0.5);
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
    const line = (label: string, lat: number[], note: string) =>
      console.log(
        `  ${label.padEnd(38)} p50 ${pct(lat, 0.5).toFixed(2).padStart(6)} ms  p99 ${pct(lat, 0.99).toFixed(2).padStart(7)} ms  ${note}`,
      );
    console.log(
      `router benchmark: ${requests} requests per case, ${concurrency} keep-alive clients, loopback; ` +
        `challenger delayed ${delayMs.toFixed(1)} ms per batch (10x the champion's p50)`,
    );
    line('one client: direct', direct1, 'baseline (no queueing)');
    line(
      'one client: through the router',
      plain1.lat,
      `p50 +${(pct(plain1.lat, 0.5) - pct(direct1, 0.5)).toFixed(2)} / p99 +${(pct(plain1.lat, 0.99) - pct(direct1, 0.99)).toFixed(2)} ms: the router's added latency`,
    );
    console.log(
      `  ${'router overhead inside the router'.padEnd(38)} p99 <= ${plain1.overheadP99} ms (target <= 1 ms; handler time beyond the model call)`,
    );
    line(`${concurrency} clients: direct`, direct, 'baseline');
    line(
      `${concurrency} clients: through the router`,
      plain.lat,
      `p99 +${(pct(plain.lat, 0.99) - pct(direct, 0.99)).toFixed(2)} ms over direct (queueing on 2 cores included)`,
    );
    line(
      `${concurrency} clients: router, again`,
      again.lat,
      `${(pct(again.lat, 0.99) / pct(plain.lat, 0.99)).toFixed(2)}x the run before: the noise band`,
    );
    line(
      `${concurrency} clients: + shadow of every request`,
      mirrored.lat,
      `${(pct(mirrored.lat, 0.99) / pct(plain.lat, 0.99)).toFixed(2)}x the no-shadow p99; shadow calls ${JSON.stringify(mirrored.mirrored)}`,
    );
    line(
      `${concurrency} clients: + shadow of 10%`,
      sampled.lat,
      `${(pct(sampled.lat, 0.99) / pct(plain.lat, 0.99)).toFixed(2)}x the no-shadow p99; shadow calls ${JSON.stringify(sampled.mirrored)}`,
    );
    line(
      `${concurrency} clients: shadow on user path`,
      onPath.lat,
      `${(pct(onPath.lat, 0.99) / pct(plain.lat, 0.99)).toFixed(2)}x the no-shadow p99`,
    );
    console.log(
      JSON.stringify({
        bench: 'router',
        requests,
        concurrency,
        directP50Ms: pct(direct, 0.5),
        directP99Ms: pct(direct, 0.99),
        routerP50Ms: pct(plain.lat, 0.5),
        routerP99Ms: pct(plain.lat, 0.99),
        sequentialDirectP50Ms: pct(direct1, 0.5),
        sequentialDirectP99Ms: pct(direct1, 0.99),
        sequentialRouterP50Ms: pct(plain1.lat, 0.5),
        sequentialRouterP99Ms: pct(plain1.lat, 0.99),
        routerOverheadP99MsUpperBound: plain1.overheadP99,
        noiseP99Ratio: pct(again.lat, 0.99) / pct(plain.lat, 0.99),
        challengerDelayMs: delayMs,
        shadowP50Ms: pct(mirrored.lat, 0.5),
        shadowP99Ms: pct(mirrored.lat, 0.99),
        shadowP99Ratio: pct(mirrored.lat, 0.99) / pct(plain.lat, 0.99),
        mirrored: mirrored.mirrored,
        sampledShadowP99Ms: pct(sampled.lat, 0.99),
        sampledShadowP99Ratio: pct(sampled.lat, 0.99) / pct(plain.lat, 0.99),
        onPathP99Ms: pct(onPath.lat, 0.99),
        onPathP99Ratio: pct(onPath.lat, 0.99) / pct(plain.lat, 0.99),
      }),
    );
  } finally {
    champion.stop();
    slow.stop();
  }
}

await main();
