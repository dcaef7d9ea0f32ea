/**
 * `pnpm services:status` logic: which backend each service would resolve to right now (same
 * decision code as acquire, resolve.ts) and whether it answers, plus the embedded data folder
 * (size, lock holder) and the redis-server binary. ARCHITECTURE.md "Services".
 */
import pg from 'pg';
import { dockerDisabled, dockerEngineCheck, dockerUrls } from './docker.ts';
import { findRedisServer } from './embedded-redis.ts';
import { errorMessage, maskUrl } from './errors.ts';
import { holderAlive, type LockInfo, readLock } from './lock.ts';
import { displayPath, folderBytes, lockPath, pgliteDir } from './paths.ts';
import { probeRedis } from './redis.ts';
import { planBackends } from './resolve.ts';
import type { BackendKind } from './types.ts';

export interface ServiceStatus {
  service: 'postgres' | 'redis';
  kind: BackendKind;
  /** Masked URL, or what embedded would start. */
  target: string;
  /** true: answers now; false: does not (and `problem` says why); null: started on demand. */
  answers: boolean | null;
  problem?: string;
}

export interface Status {
  docker: 'disabled' | 'answers' | 'no-engine';
  /** Engine version, or why `docker info` failed. */
  dockerDetail: string;
  services: ServiceStatus[];
  data: { path: string; bytes: number; exists: boolean };
  lock: { holder?: LockInfo; live: boolean };
  redisServer?: string;
  /** Nothing that acquire() would need is broken. */
  ok: boolean;
}

/** Whether the Postgres at `url` answers a query: undefined when it does, else why not (tests ask this too). */
export async function postgresProblem(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.query('SELECT 1');
    return undefined;
  } catch (error) {
    return errorMessage(error);
  } finally {
    await client.end().catch(() => {});
  }
}

/** Whether the Redis at `url` answers a PING: undefined when it does, else why not. */
export async function redisProblem(url: string): Promise<string | undefined> {
  try {
    await probeRedis({ variable: 'REDIS_URL', url });
    return undefined;
  } catch (error) {
    return errorMessage((error as Error).cause ?? error);
  }
}

export async function collectStatus(env: NodeJS.ProcessEnv = process.env): Promise<Status> {
  // Asked even when env URLs cover everything: status reports on Docker regardless.
  const disabled = dockerDisabled(env);
  const engine = disabled ? { answers: false, detail: 'MLOPS_LAB_NO_DOCKER=1' } : await dockerEngineCheck();
  const plan = await planBackends(['postgres', 'redis'], env, async () => engine.answers);
  const docker: Status['docker'] = disabled ? 'disabled' : engine.answers ? 'answers' : 'no-engine';
  const redisServer = findRedisServer(env);
  const services: ServiceStatus[] = [];

  for (const service of ['postgres', 'redis'] as const) {
    const kind = plan[service]!;
    if (kind === 'embedded') {
      const missing = service === 'redis' && !redisServer;
      services.push({
        service,
        kind,
        target:
          service === 'postgres'
            ? `PGlite, data ${displayPath(pgliteDir(env))}`
            : `redis-server ${redisServer ?? '(not on PATH)'}`,
        answers: missing ? false : null,
        problem: missing
          ? 'no redis-server on PATH (install it, run `pnpm services:up`, or set REDIS_URL)'
          : undefined,
      });
      continue;
    }
    const url =
      kind === 'env'
        ? service === 'postgres'
          ? env.DATABASE_URL!
          : env.REDIS_URL!
        : dockerUrls(env)[service];
    const problem = service === 'postgres' ? await postgresProblem(url) : await redisProblem(url);
    services.push({ service, kind, target: maskUrl(url), answers: problem === undefined, problem });
  }

  const holder = readLock(lockPath(env));
  const dir = pgliteDir(env);
  const bytes = folderBytes(dir);
  return {
    docker,
    dockerDetail: engine.detail,
    services,
    data: { path: dir, bytes, exists: bytes > 0 },
    lock: { holder, live: holder ? holderAlive(holder) : false },
    redisServer,
    // A Docker service that is down is fine: acquire() starts it.
    ok: services.every((s) => s.answers !== false || s.kind === 'docker'),
  };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KB', 'MB', 'GB'];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

const KIND_TEXT: Record<BackendKind, string> = {
  env: 'env URL',
  docker: 'docker compose',
  embedded: 'embedded',
};

export function formatStatus(status: Status): string[] {
  const lines: string[] = [];
  for (const s of status.services) {
    const state =
      s.answers === null
        ? 'starts on demand'
        : s.answers
          ? 'answers'
          : s.kind === 'docker'
            ? 'not running (acquire() or `pnpm services:up` starts it)'
            : `does not answer: ${s.problem}`;
    lines.push(`${s.service.padEnd(9)} ${KIND_TEXT[s.kind].padEnd(15)} ${s.target}  -> ${state}`);
  }
  const docker = {
    disabled: 'skipped (MLOPS_LAB_NO_DOCKER=1)',
    answers: `engine ${status.dockerDetail} answers`,
    'no-engine': `no engine answers: ${status.dockerDetail}`,
  }[status.docker];
  lines.push(`docker    ${docker}`);
  const data = status.data.exists
    ? `${displayPath(status.data.path)} (${formatBytes(status.data.bytes)})`
    : `${displayPath(status.data.path)} (not created yet)`;
  lines.push(`data      ${data}`);
  const h = status.lock.holder;
  const lock = !h
    ? 'free'
    : status.lock.live
      ? `held by pid ${h.pid} since ${h.since}${h.command ? ` (${h.command})` : ''}`
      : `stale (pid ${h.pid} is gone; the next run takes it over)`;
  lines.push(`lock      ${lock}`);
  lines.push(`binary    redis-server ${status.redisServer ?? 'not on PATH'}`);
  return lines;
}
