/**
 * Docker Compose backend (ARCHITECTURE.md "Services", resolution step 2): when a Docker engine answers,
 * `docker compose up -d --wait` the needed services from the repo's docker-compose.yml and connect
 * to their loopback ports. Reference: Docker Compose CLI (`up --wait` waits for healthchecks).
 *
 * The engine check must fail fast: on machines with a docker client but no engine, `docker info`
 * errors in well under a second; a hung daemon socket is cut off after ~3 s.
 */
import { spawn } from 'node:child_process';
import { keepOutput } from './child-output.ts';
import { ServiceError } from './errors.ts';
import { composeFile } from './paths.ts';

export type ComposeService = 'postgres' | 'redis';

export const DOCKER_PG_DEFAULT_PORT = 54329;
export const DOCKER_REDIS_DEFAULT_PORT = 63799;
/** Credentials of the compose Postgres (docker-compose.yml); loopback-only, so fixed ones are fine. */
export const DOCKER_PG_CREDENTIALS = { user: 'mlops', password: 'mlops', database: 'mlops' };

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Runs a command, collecting output; never throws (a missing binary is code null with the error in stderr). */
export function run(
  command: string,
  args: string[],
  options: { timeoutMs?: number; env?: NodeJS.ProcessEnv; cwd?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve) => {
    let timedOut = false;
    const child = spawn(command, args, {
      env: options.env ?? process.env,
      cwd: options.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const timer =
      options.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, options.timeoutMs);
    const output = keepOutput(child, command);
    child.on('error', (error) => {
      clearTimeout(timer);
      resolve({ code: null, stdout: output.out(), stderr: output.err() + error.message, timedOut });
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout: output.out(), stderr: output.err(), timedOut });
    });
  });
}

/** Whether Docker should even be tried: `MLOPS_LAB_NO_DOCKER=1` (or true/yes) turns the step off. */
export function dockerDisabled(env: NodeJS.ProcessEnv = process.env): boolean {
  return /^(1|true|yes)$/i.test(env.MLOPS_LAB_NO_DOCKER ?? '');
}

/** Asks `docker info` for the engine version; `detail` is the version or why there is none. */
export async function dockerEngineCheck(timeoutMs = 3000): Promise<{ answers: boolean; detail: string }> {
  const result = await run('docker', ['info', '--format', '{{.ServerVersion}}'], { timeoutMs });
  const version = result.stdout.trim();
  if (result.code === 0 && version && !version.includes('<no value>'))
    return { answers: true, detail: version };
  const why = result.timedOut
    ? `no answer within ${timeoutMs / 1000} s`
    : (result.stderr
        .trim()
        .split('\n')
        .find((line) => line.trim()) ?? `exit code ${result.code}`);
  return { answers: false, detail: why.trim() };
}

/** True when a Docker engine answers `docker info` within `timeoutMs`. */
export async function dockerEngineAnswers(timeoutMs = 3000): Promise<boolean> {
  return (await dockerEngineCheck(timeoutMs)).answers;
}

let cachedEngineCheck: Promise<boolean> | undefined;

/** The engine check, asked once per process (it does not change during a run, and costs a spawn). */
export function dockerEngineAnswersCached(): Promise<boolean> {
  cachedEngineCheck ??= dockerEngineAnswers();
  return cachedEngineCheck;
}

export function dockerPorts(env: NodeJS.ProcessEnv = process.env): { postgres: number; redis: number } {
  const port = (value: string | undefined, fallback: number) => {
    const n = Number(value);
    return Number.isInteger(n) && n > 0 && n < 65536 ? n : fallback;
  };
  return {
    postgres: port(env.MLOPS_LAB_PG_PORT, DOCKER_PG_DEFAULT_PORT),
    redis: port(env.MLOPS_LAB_REDIS_PORT, DOCKER_REDIS_DEFAULT_PORT),
  };
}

/** URLs of the compose services on their loopback ports. */
export function dockerUrls(env: NodeJS.ProcessEnv = process.env): { postgres: string; redis: string } {
  const ports = dockerPorts(env);
  const { user, password, database } = DOCKER_PG_CREDENTIALS;
  return {
    postgres: `postgres://${user}:${password}@127.0.0.1:${ports.postgres}/${database}`,
    redis: `redis://127.0.0.1:${ports.redis}`,
  };
}

/** The argv of `docker compose ... <verb>`; `up` waits for the healthchecks of the named services. */
export function composeArgs(
  verb: 'up' | 'down' | 'down-volumes' | 'ps',
  services: ComposeService[] = [],
  file = composeFile(),
): string[] {
  const base = ['compose', '-f', file];
  switch (verb) {
    case 'up':
      return [...base, 'up', '-d', '--wait', ...services];
    case 'down':
      return [...base, 'down'];
    case 'down-volumes':
      return [...base, 'down', '-v'];
    case 'ps':
      return [...base, 'ps', '--format', 'json', ...services];
  }
}

/** `docker compose up -d --wait` for the services; throws DOCKER_FAILED with compose's own output. */
export async function composeUp(services: ComposeService[]): Promise<void> {
  const args = composeArgs('up', services);
  // First run pulls images; give it minutes, not seconds.
  const result = await run('docker', args, { timeoutMs: 600_000 });
  if (result.code !== 0) {
    if ((await run('docker', ['compose', 'version'], { timeoutMs: 5000 })).code !== 0) {
      throw new ServiceError(
        'DOCKER_FAILED',
        'a Docker engine answers but the Docker Compose plugin is missing (`docker compose version` fails)',
        'Install the Compose plugin (docs.docker.com/compose/install), or MLOPS_LAB_NO_DOCKER=1 to use the embedded services.',
      );
    }
    const output = (result.stderr || result.stdout).trim().split('\n').slice(-8).join('\n');
    throw new ServiceError(
      'DOCKER_FAILED',
      `\`docker ${args.join(' ')}\` failed${result.timedOut ? ' (timed out)' : ''}:\n${output}`,
      [
        'Fix the Docker error above (a port clash: set MLOPS_LAB_PG_PORT / MLOPS_LAB_REDIS_PORT), or skip Docker:',
        '  - MLOPS_LAB_NO_DOCKER=1 uses the embedded PGlite + redis-server, or',
        '  - set DATABASE_URL / REDIS_URL to servers you run.',
      ].join('\n'),
    );
  }
}
