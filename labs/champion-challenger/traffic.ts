/**
 * Users sending payments through the router (Q15, Q29): each request carries the customer id as its
 * routing key (so assignment can be sticky) and the event id as its request id (so the prediction log
 * can be joined to the label that arrives later). Two load shapes: open loop at a fixed rate, for a fair
 * latency comparison (a slower system cannot lower the load it receives), and closed loop with N users in
 * flight, for volume. Every reply is kept with the version that answered it.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { quantile } from '@mlops-lab/evaluation';
import { REQUEST_ID_HEADER, REQUEST_KEY_HEADER } from '@mlops-lab/router';
import { Pool } from 'undici';
import { bodyOf } from './world.ts';

export interface Reply {
  id: string;
  user: string;
  /** The version the reply names (the router's `version` field), null on a failed request. */
  version: string | null;
  status: number;
  /** User-facing latency in ms. */
  ms: number;
  /** performance.now() when the request was sent. */
  t0: number;
  /** When the reply arrived (performance.now()). */
  t1: number;
}

export interface Request {
  id: string;
  event: PaymentEvent;
}

export class Users {
  private readonly pool: Pool;
  constructor(routerUrl: string, connections = 128) {
    this.pool = new Pool(routerUrl, { connections, pipelining: 1 });
  }

  async send({ id, event }: Request): Promise<Reply> {
    const t0 = performance.now();
    let status = 0;
    let version: string | null = null;
    try {
      const res = await this.pool.request({
        path: '/predict',
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [REQUEST_KEY_HEADER]: event.customerId,
          [REQUEST_ID_HEADER]: id,
        },
        body: JSON.stringify(bodyOf(event)),
      });
      status = res.statusCode;
      const body = (await res.body.json()) as { version?: string };
      version = status === 200 && typeof body.version === 'string' ? body.version : null;
    } catch {
      status = 0; // connection error: counted as a failed request
    }
    const t1 = performance.now();
    return { id, user: event.customerId, version, status, ms: t1 - t0, t0, t1 };
  }

  close(): Promise<void> {
    return this.pool.close();
  }
}

/** Closed loop: `concurrency` users, each sends its next request when the previous one is answered. */
export async function closedLoop(users: Users, requests: Request[], concurrency: number): Promise<Reply[]> {
  const out: Reply[] = new Array(requests.length);
  let next = 0;
  const worker = async () => {
    while (next < requests.length) {
      const i = next++;
      out[i] = await users.send(requests[i]);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return out;
}

/** Open loop: requests leave at `perSecond` whatever the replies do (no coordinated omission). */
export async function openLoop(users: Users, requests: Request[], perSecond: number): Promise<Reply[]> {
  const pending: Promise<Reply>[] = [];
  const start = performance.now();
  while (pending.length < requests.length) {
    const due = Math.min(requests.length, Math.floor(((performance.now() - start) / 1000) * perSecond) + 1);
    while (pending.length < due) pending.push(users.send(requests[pending.length]));
    await new Promise((r) => setTimeout(r, 2));
  }
  return Promise.all(pending);
}

/** Closed-loop traffic in the background until stopped; `log` grows as replies arrive. */
export function background(users: Users, request: (i: number) => Request, concurrency: number) {
  const log: Reply[] = [];
  let i = 0;
  let stopped = false;
  const workers = Array.from({ length: concurrency }, async () => {
    while (!stopped) log.push(await users.send(request(i++)));
  });
  return {
    log,
    async stop() {
      stopped = true;
      await Promise.all(workers);
    },
  };
}

/** The q-quantile of the replies' user-facing latency, in ms, by nearest rank (a latency a user had). */
export const latency = (replies: Reply[], q: number) =>
  quantile(
    replies.map((r) => r.ms),
    q,
    { method: 'inverted_cdf' },
  );

/** Users who were answered by more than one version among `replies`. */
export function mixedUsers(replies: Reply[]): number {
  const seen = new Map<string, string>();
  const mixed = new Set<string>();
  for (const r of replies) {
    if (r.version === null) continue;
    const v = seen.get(r.user);
    if (v !== undefined && v !== r.version) mixed.add(r.user);
    seen.set(r.user, r.version);
  }
  return mixed.size;
}
