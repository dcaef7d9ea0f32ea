/**
 * A redis-server that a fault-injection test may kill and bring back on the same port, empty: what
 * a Redis restart without persistence looks like to its clients. Never the shared server: each one
 * is a child of the test on a free loopback port, killed when the test process exits, and on Linux
 * by the kernel when its parent dies (a test worker torn down without running exit hooks).
 */
import type { ChildProcess } from 'node:child_process';
import { findRedisServer, freePort, noRedisError, pingRedis, spawnRedisServer } from './embedded-redis.ts';
import { onExitSync } from './shutdown.ts';

export interface KillableRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL: no shutdown, every connection dropped, every key lost. */
  kill(): Promise<void>;
  /** A new, empty redis-server on the same port (the running one, if any, is killed first). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

export async function startKillableRedis(): Promise<KillableRedis> {
  const binary = findRedisServer();
  if (!binary) throw noRedisError();
  const port = await freePort();
  let child: ChildProcess | undefined;
  const unhook = onExitSync(() => child?.kill('SIGKILL'));
  const start = async (): Promise<void> => {
    child = spawnRedisServer(binary, port);
    child.stderr?.resume(); // not read: a failed start shows as no PING
    const deadline = Date.now() + 10_000;
    while (!(await pingRedis(port))) {
      if (Date.now() > deadline)
        throw new Error(`redis-server on 127.0.0.1:${port} did not answer PING in 10 s`);
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const kill = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await gone;
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    kill,
    async restart() {
      await kill();
      await start();
    },
    async stop() {
      await kill();
      unhook();
    },
  };
}
