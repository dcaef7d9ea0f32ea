/**
 * A stand-in for a model server over real HTTP, for the router's tests and benchmark (Q15, Q29): a
 * node:http server whose `POST /predict` answers as the model server does (200 `{ score, decision,
 * reason, model }`, an error as its status with `{ error, reason }`), call by call as a script says,
 * or never (`'hang'`). The router talks to model servers over HTTP only, so this is all of a model
 * server it can see, without loading one; the router in front of real model servers is the
 * champion-challenger lab. `kill()` destroys the open sockets and closes the port without a drain,
 * as a crashed process would.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { generatePayments } from '@mlops-lab/datagen';
import { stickyDraw } from '@mlops-lab/registry/routing';

/** One reply: a status and JSON body, or `'hang'` (the request is held until the client gives up). */
export type StandInAnswer = { status: number; body: Record<string, unknown> } | 'hang';

/** What the stand-in answers to call `call` (1-based) with request body `body`. */
export type StandInScript = (call: number, body: Buffer) => StandInAnswer | Promise<StandInAnswer>;

export interface StandIn {
  readonly url: string;
  /** Requests received so far. */
  readonly calls: number;
  /** Destroys every open socket and closes the port at once, no drain: a crashed model server. */
  kill(): void;
  /** Closes it, requests held by `'hang'` included. */
  close(): Promise<void>;
}

/** A model's answer: a score fixed by the body (the same body, the same score), and its decision. */
export function scored(version: string, body: Buffer | string): StandInAnswer {
  const score = stickyDraw(`score:${body}`);
  const decision = score < 0.5 ? 'approve' : 'decline';
  return { status: 200, body: { score, decision, reason: 'stand-in', model: { name: 'stand-in', version } } };
}

/** A model server for `version` that answers every request with its score. */
export const modelStandIn =
  (version: string): StandInScript =>
  (_call, body) =>
    scored(version, body);

/** `n` JSON request bodies: seeded payments as a client would send them, sizes and fields included. */
export function standInBodies(seed: number, n: number): string[] {
  return generatePayments({ seed, size: n, start: 0, durationMs: 86_400_000 }).map((e) => JSON.stringify(e));
}

export async function standInUpstream(script: StandInScript, host = '127.0.0.1'): Promise<StandIn> {
  let calls = 0;
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', async () => {
      const a = await script(++calls, Buffer.concat(chunks));
      if (a === 'hang' || res.destroyed) return;
      res.writeHead(a.status, { 'content-type': 'application/json' }).end(JSON.stringify(a.body));
    });
  });
  await new Promise<void>((r) => server.listen(0, host, r));
  const kill = () => {
    server.closeAllConnections();
    server.close();
  };
  return {
    url: `http://${host}:${(server.address() as AddressInfo).port}`,
    get calls() {
      return calls;
    },
    kill,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r()); // after kill() too: the error "not running" is nothing to wait for
      }),
  };
}
