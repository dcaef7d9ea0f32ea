/**
 * Live traffic for the versioning lab (Q18): a fixed number of concurrent clients post payments to the
 * server until stopped, each request carrying a user id as its routing key, and every reply is logged
 * with the version that answered. The lab reads the split, stickiness and failures off this log, and
 * the table in force off the server's /readyz.
 */
import { ROUTING_KEY_HEADER, type RouteRow } from '@mlops-lab/model-server';
import { paymentBodies } from '@mlops-lab/payments';

export interface Served {
  /** When the request was sent (performance.now()): a request sent after a table was seen in force is routed by it. */
  at: number;
  user: string;
  status: number;
  version: string | null;
}

export interface Traffic {
  readonly log: Served[];
  /**
   * Resolves once `n` replies have arrived to requests sent at or after `since` (performance.now()).
   * By send time, not reply time: a request already in flight when the table changed was routed by
   * the old table, and must not be counted against the new one (on a loaded machine there are many).
   */
  until(n: number, since: number): Promise<Served[]>;
  stop(): Promise<void>;
}

export function startTraffic(url: string, seed: number, concurrency = 8, users = 50_000): Traffic {
  const bodies = paymentBodies(seed, 512).map((b) => JSON.stringify(b));
  const log: Served[] = [];
  let stopped = false;
  let i = 0;
  const client = async (): Promise<void> => {
    while (!stopped) {
      const n = i++;
      const user = `user-${(Math.imul(n, 2654435761) >>> 0) % users}`;
      const at = performance.now();
      try {
        const res = await fetch(`${url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json', [ROUTING_KEY_HEADER]: user },
          body: bodies[n % bodies.length],
        });
        const out = (await res.json()) as { model?: { version: string } };
        log.push({ at, user, status: res.status, version: out.model?.version ?? null });
      } catch {
        log.push({ at, user, status: 0, version: null }); // connection refused / reset
      }
    }
  };
  const clients = Array.from({ length: concurrency }, client);
  return {
    log,
    async until(n, since) {
      for (;;) {
        const after = log.filter((s) => s.at >= since);
        if (after.length >= n) return after.slice(0, n);
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async stop() {
      stopped = true;
      await Promise.all(clients);
    },
  };
}

/**
 * Polls the server's /readyz until its routing table satisfies `done`, or `timeoutMs` passes. A server
 * that follows no table (its /readyz has no `routing` field: one model fixed at start) never will, so
 * the wait ends at once.
 */
export async function waitForTable(url: string, done: (rows: RouteRow[]) => boolean, timeoutMs: number) {
  const t0 = performance.now();
  for (;;) {
    const ready = (await (await fetch(`${url}/readyz`)).json()) as { routes: RouteRow[]; routing?: object };
    const { routes } = ready;
    if (done(routes)) return { rows: routes, ms: performance.now() - t0, seen: true };
    if (!ready.routing || performance.now() - t0 > timeoutMs)
      return { rows: routes, ms: performance.now() - t0, seen: false };
    await new Promise((r) => setTimeout(r, 25));
  }
}

export const describeTable = (rows: RouteRow[]) =>
  rows
    .map((r) => `${r.target === r.version ? `v${r.version}` : `${r.target}=v${r.version}`} ${r.weight}%`)
    .join(', ');

export function share(log: Served[], version: string): number {
  return log.filter((s) => s.version === version).length / Math.max(log.length, 1);
}

/** Users answered by more than one version within one window. */
export function unstickyUsers(log: Served[]): number {
  const seen = new Map<string, string | null>();
  const mixed = new Set<string>();
  for (const s of log) {
    if (seen.has(s.user) && seen.get(s.user) !== s.version) mixed.add(s.user);
    seen.set(s.user, s.version);
  }
  return mixed.size;
}
