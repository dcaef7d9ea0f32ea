/**
 * Embedded Redis (ARCHITECTURE.md "Services", resolution step 3): a `redis-server` binary from PATH on a
 * free loopback port, no persistence, waited for with PING, stopped on close and killed on exit.
 * Written by hand (a small supervisor): no npm package runs a real redis-server without downloading
 * or compiling one. Reference: redis.io "Redis configuration" (command-line `--option value` form).
 *
 * A run killed with SIGKILL runs no exit hook, so two more guards keep its server from outliving it:
 * on Linux the server is started through util-linux `setpriv --pdeathsig KILL`, so the kernel kills
 * it when its parent dies (prctl(2) PR_SET_PDEATHSIG; setpriv execs, so the pid stays the server's);
 * and every server is recorded in the data folder with its owner (redis-owners.ts), so the next
 * start kills one whose owner is dead where no such kernel help exists (macOS).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { createServer, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { ServiceError } from './errors.ts';
import { recordRedisServer } from './redis-owners.ts';
import { onExitSync } from './shutdown.ts';

export interface EmbeddedRedis {
  url: string;
  port: number;
  pid: number;
  stop(): Promise<void>;
}

/** First executable `name` on PATH, or undefined. */
export function findOnPath(name: string, env: NodeJS.ProcessEnv = process.env): string | undefined {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** First executable `redis-server` on PATH, or undefined. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return findOnPath('redis-server', env);
}

export function noRedisError(): ServiceError {
  return new ServiceError(
    'NO_REDIS',
    'Redis is needed but REDIS_URL is not set, no Docker engine answers, and no `redis-server` is on PATH',
    [
      'Get Redis one of three ways:',
      '  - Docker: `pnpm services:up` (starts Redis, and Postgres with pgvector, on loopback ports);',
      '  - install redis-server: `apt-get install redis-server` / `brew install redis` (started per run, nothing to configure);',
      '  - REDIS_URL=redis://host:port pointing at a Redis you run.',
    ].join('\n'),
  );
}

/** A port the OS says is free now (there is a small window before redis binds it; start retries). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** One PING over a raw socket: true on `+PONG`. Cheap enough to poll, and needs no client. */
export function pingRedis(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    let reply = '';
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) done(reply.startsWith('+PONG'));
    });
    socket.connect(port, host, () => socket.write('PING\r\n'));
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

const pdeathsigSupport = new Map<string, boolean>();

/** `setpriv --pdeathsig KILL --` when a setpriv that knows the option (util-linux >= 2.33) is on PATH. */
export function dieWithParentPrefix(env: NodeJS.ProcessEnv = process.env): string[] {
  const setpriv = findOnPath('setpriv', env);
  if (!setpriv) return [];
  let supported = pdeathsigSupport.get(setpriv);
  if (supported === undefined) {
    supported = spawnSync(setpriv, ['--help'], { encoding: 'utf8' }).stdout?.includes('--pdeathsig') ?? false;
    pdeathsigSupport.set(setpriv, supported);
  }
  return supported ? [setpriv, '--pdeathsig', 'KILL', '--'] : [];
}

interface Started {
  child: ChildProcess;
  /** Removes the server's record from the data folder. */
  forget: () => void;
}

/**
 * A loopback redis-server with nothing on disk, started so that it dies with this process where the
 * platform allows (`dieWithParentPrefix`). stderr is piped for the start-up error message.
 */
export function spawnRedisServer(
  binary: string,
  port: number,
  env: NodeJS.ProcessEnv = process.env,
): ChildProcess {
  const [command, ...prefix] = [...dieWithParentPrefix(env), binary];
  const args = [
    '--port',
    String(port),
    '--bind',
    '127.0.0.1',
    '--save',
    '',
    '--appendonly',
    'no',
    '--dir',
    tmpdir(),
  ];
  return spawn(command, [...prefix, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
}

async function startOnce(binary: string, port: number, env: NodeJS.ProcessEnv): Promise<Started | string> {
  const child = spawnRedisServer(binary, port, env);
  // Recorded before the wait: a run killed while the server starts leaves a record too.
  const forget = child.pid ? recordRedisServer(child.pid, port, env) : () => {};
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  let exitedEarly = false;
  child.once('exit', () => {
    exitedEarly = true;
  });
  child.once('error', (error) => {
    exitedEarly = true;
    stderr += error.message;
  });
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline && !exitedEarly) {
    if (await pingRedis(port)) return { child, forget };
    await new Promise((r) => setTimeout(r, 25));
  }
  child.kill('SIGKILL');
  forget();
  return stderr.trim() || `redis-server did not answer PING on 127.0.0.1:${port} within 5 s`;
}

export async function startEmbeddedRedis(env: NodeJS.ProcessEnv = process.env): Promise<EmbeddedRedis> {
  const binary = findRedisServer(env);
  if (!binary) throw noRedisError();
  let lastError = '';
  // A few tries: the free port can be taken between our probe and redis-server's bind.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    const started = await startOnce(binary, port, env);
    if (typeof started === 'string') {
      lastError = started;
      continue;
    }
    const { child, forget } = started;
    const unhook = onExitSync(() => {
      child.kill('SIGKILL');
      forget();
    });
    let stopping: Promise<void> | undefined;
    return {
      url: `redis://127.0.0.1:${port}`,
      port,
      pid: child.pid ?? 0,
      stop() {
        stopping ??= (async () => {
          const gone = exited(child);
          child.kill('SIGTERM');
          const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
          await gone;
          clearTimeout(timer);
          forget();
          unhook();
        })();
        return stopping;
      },
    };
  }
  throw new ServiceError(
    'EMBEDDED_FAILED',
    `embedded redis-server (${binary}) failed to start: ${lastError}`,
    'Run `redis-server --version` to check the binary, or use Docker (`pnpm services:up`) or REDIS_URL.',
  );
}
