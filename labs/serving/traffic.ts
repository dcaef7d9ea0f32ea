/**
 * Traffic for the serving lab (Q16): a timed load run (benchkit's runLoad: the load generator in a
 * child process), a flood of malformed bodies mixed with good ones sent at fixed concurrency (every
 * reply kept, so each can be judged), and the server's own status counts read from GET /metrics.
 */
import { Agent, request } from 'node:http';
import { non2xx, runLoad } from '@mlops-lab/benchkit';

export interface LoadResult {
  requests: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  p50: number;
  p99: number;
  mean: number;
  seconds: number;
  /** CPU of the load generator's own process, not counted in the server's figure. */
  cpuMs: number;
  /** CPU of this process (the server) over the run, and its wall time. */
  serverCpuMs: number;
  wallMs: number;
}

/** Load from a child process for `duration` seconds; this process's CPU over the run is the server's. */
export async function loadRun(
  url: string,
  bodies: string[],
  connections: number,
  duration: number,
): Promise<LoadResult> {
  const r = await runLoad({
    url: `${url}/predict`,
    headers: { 'content-type': 'application/json' },
    requests: bodies.map((body) => ({ body })),
    connections,
    seconds: duration,
  });
  const timeouts = r.errors.timeout ?? 0;
  return {
    requests: r.sent,
    ok: r.ok,
    non2xx: non2xx(r),
    errors: r.failed - timeouts,
    timeouts,
    p50: r.latencyMs.p50,
    p99: r.latencyMs.p99,
    mean: r.latencyMs.mean,
    seconds: r.seconds,
    cpuMs: r.cpuMs,
    serverCpuMs: r.callerCpuMs,
    wallMs: r.callerWallMs,
  };
}

/** A malformed request: raw body text and the field a correct server names in its 400. */
export interface BadRequest {
  family: string;
  body: string;
  field: string;
  /** Valid JSON, so it can also sit in the batch table as a row's input. */
  json: boolean;
}

const FAMILIES: { family: string; field: string; make(b: Record<string, unknown>): unknown }[] = [
  { family: 'amount as text', field: 'amount', make: (b) => ({ ...b, amount: `${b.amount}` }) },
  { family: 'amount not a number', field: 'amount', make: (b) => ({ ...b, amount: 'n/a' }) },
  { family: 'missing channel', field: 'channel', make: ({ channel: _, ...b }) => b },
  { family: 'unknown channel', field: 'channel', make: (b) => ({ ...b, channel: 'fax' }) },
  { family: 'negative distance', field: 'distanceKm', make: (b) => ({ ...b, distanceKm: -12 }) },
  { family: 'null device age', field: 'deviceAgeDays', make: (b) => ({ ...b, deviceAgeDays: null }) },
  { family: 'array body', field: 'body', make: (b) => [b] },
  { family: 'null body', field: 'body', make: () => null },
];

/** n malformed bodies cycling through the families, built from real payments; every 9th is cut-off JSON. */
export function malformedBodies(good: Record<string, unknown>[], n: number): BadRequest[] {
  return Array.from({ length: n }, (_, i) => {
    const b = good[i % good.length];
    if (i % 9 === 8)
      return { family: 'truncated JSON', body: JSON.stringify(b).slice(0, 25), field: 'body', json: false };
    const f = FAMILIES[i % FAMILIES.length];
    return { family: f.family, body: JSON.stringify(f.make(b)), field: f.field, json: true };
  });
}

export interface Reply {
  status: number;
  body: Record<string, unknown> | null;
}

/** One POST over a keep-alive agent; node:http costs this process far less CPU than fetch (undici). */
function post(agent: Agent, url: URL, body: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk) => {
          text += chunk;
        });
        res.on('end', () => {
          let parsed: Record<string, unknown> | null = null;
          try {
            parsed = JSON.parse(text);
          } catch {}
          resolve({ status: res.statusCode ?? 0, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** Sends every body (in the given order) with `concurrency` requests in flight; replies in order. */
export async function sendAll(url: string, bodies: string[], concurrency: number): Promise<Reply[]> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(`${url}/predict`);
  const replies: Reply[] = new Array(bodies.length);
  let next = 0;
  const lane = async () => {
    while (next < bodies.length) {
      const i = next++;
      replies[i] = await post(agent, target, bodies[i]);
    }
  };
  try {
    await Promise.all(Array.from({ length: concurrency }, lane));
  } finally {
    agent.destroy();
  }
  return replies;
}

/** `model_server_requests_total{status}` as the server exposes it on GET /metrics. */
export async function statusCounts(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const counts = new Map<string, number>();
  for (const m of text.matchAll(/^model_server_requests_total\{status="(\d+)"\} (\d+)/gm)) {
    counts.set(m[1], Number(m[2]));
  }
  return counts;
}
