/**
 * `pnpm services:up | down | status | reset` (scripts/services.ts is a thin entry into runCli).
 * ARCHITECTURE.md "Services" and "Layers" (scripts/ holds `pnpm services:*`). Exit code 0 on success,
 * 1 on failure, 2 on bad usage.
 */
import { spawn } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { composeArgs, dockerEngineAnswers, dockerEngineCheck, dockerUrls, run } from './docker.ts';
import { wipeEmbeddedData } from './embedded-postgres.ts';
import { isServiceError, maskUrl } from './errors.ts';
import { holderAlive, readLock } from './lock.ts';
import { displayPath, lockPath } from './paths.ts';
import { collectStatus, formatBytes, formatStatus } from './status.ts';

export interface CliIO {
  out: (line: string) => void;
  err: (line: string) => void;
}

const USAGE = [
  'usage: pnpm services:<command>   (tsx scripts/services.ts <command>)',
  '  up      start Postgres (pgvector) + Redis with docker compose, wait until healthy',
  '  down    stop them (data volume kept)',
  '  status  which backend each service resolves to now, and whether it answers',
  '  reset   wipe the embedded data folder and, with Docker, `docker compose down -v`',
];

const NO_ENGINE = [
  'Nothing is needed to run labs and tests without it: they use the embedded Postgres (PGlite, with',
  'pgvector) and a redis-server from PATH automatically. To use Docker, start the engine and rerun.',
];

/** Runs `docker <args>` with the terminal attached, so compose shows its own progress. */
function dockerInherit(args: string[]): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('docker', args, { stdio: 'inherit' });
    child.on('error', () => resolve(1));
    child.on('close', (code) => resolve(code ?? 1));
  });
}

async function up(io: CliIO): Promise<number> {
  const engine = await dockerEngineCheck();
  if (!engine.answers) {
    io.err(`No Docker engine answers (\`docker info\`: ${engine.detail}).`);
    for (const line of NO_ENGINE) io.err(line);
    return 1;
  }
  const code = await dockerInherit(composeArgs('up', ['postgres', 'redis']));
  if (code !== 0) {
    io.err(
      'docker compose up failed (see above). A port clash? Set MLOPS_LAB_PG_PORT / MLOPS_LAB_REDIS_PORT.',
    );
    return code;
  }
  const urls = dockerUrls();
  io.out(`postgres  ${maskUrl(urls.postgres)}  (pgvector/pgvector:pg16)`);
  io.out(`redis     ${urls.redis}  (redis:7-alpine)`);
  io.out('Labs and tests now use these automatically (unless DATABASE_URL / REDIS_URL are set).');
  return 0;
}

async function down(io: CliIO): Promise<number> {
  if (!(await dockerEngineAnswers())) {
    io.out('No Docker engine answers: nothing to stop (embedded servers stop with each run).');
    return 0;
  }
  return dockerInherit(composeArgs('down'));
}

async function status(io: CliIO): Promise<number> {
  const result = await collectStatus();
  for (const line of formatStatus(result)) io.out(line);
  if (!result.ok) io.err('A service the next run would use is not usable (see above).');
  return result.ok ? 0 : 1;
}

async function reset(io: CliIO): Promise<number> {
  const lock = lockPath();
  const holder = readLock(lock);
  if (holder && holderAlive(holder)) {
    io.err(`Refusing to reset: the embedded data folder is in use by pid ${holder.pid} (${holder.command}).`);
    io.err('Wait for that run to finish (or stop it), then rerun `pnpm services:reset`.');
    return 1;
  }
  const removed = wipeEmbeddedData();
  if (existsSync(lock)) rmSync(lock, { force: true }); // stale
  for (const { path, bytes } of removed)
    io.out(`embedded  wiped ${displayPath(path)} (${formatBytes(bytes)})`);
  if (await dockerEngineAnswers()) {
    const result = await run('docker', composeArgs('down-volumes'), { timeoutMs: 120_000 });
    if (result.code !== 0) {
      io.err(`docker compose down -v failed:\n${(result.stderr || result.stdout).trim()}`);
      return 1;
    }
    io.out('docker    containers and volumes removed (docker compose down -v)');
  } else {
    io.out('docker    no engine answers; nothing to remove');
  }
  return 0;
}

export async function runCli(
  args: string[],
  io: CliIO = { out: console.log, err: console.error },
): Promise<number> {
  const command = args[0];
  try {
    switch (command) {
      case 'up':
        return await up(io);
      case 'down':
        return await down(io);
      case 'status':
        return await status(io);
      case 'reset':
        return await reset(io);
      default:
        for (const line of USAGE) io.err(line);
        return 2;
    }
  } catch (error) {
    io.err(`services ${command}: ${(error as Error).message}`);
    if (isServiceError(error)) io.err(error.hint);
    return 1;
  }
}
