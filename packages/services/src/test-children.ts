/**
 * For fault tests that run part of the system in a process of its own so they can kill it with
 * SIGKILL mid-work (ARCHITECTURE.md "Nothing lost silently"): `testChildren` starts a fixture script
 * as `node --import tsx <script>` (one process, not the tsx wrapper, so the signal hits the process
 * that holds the work), joined to the test file's shared namespace (its DATABASE_URL / REDIS_URL and
 * NAMESPACE), keeps its stdout for the test to read, and kills what is left after the file's tests.
 * `until` polls what the system under test reports instead of guessing how long it takes.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { afterAll } from 'vitest';
import { keepOutput } from './child-output.ts';
import type { ServicesWithExtras } from './services.ts';

/** Polls `done` every 20 ms; past the deadline (generous, for a loaded CI machine) it fails naming `what`. */
export async function until(
  done: () => boolean | Promise<boolean>,
  what = 'the condition',
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export interface TestChild {
  proc: ChildProcess;
  /** Everything the child printed on stdout so far. */
  out(): string;
  /** Resolves once the child has printed `line` (a whole line), e.g. 'ready' or 'hanging'. */
  printed(line: string, what?: string): Promise<void>;
  /** SIGKILL, resolved once the process is gone: no exit hook, no cleanup, work in hand lost. */
  kill(): Promise<void>;
}

/**
 * Registers the file's afterAll (every child still running is killed) and returns `start`: the
 * fixture `script` (a file URL or path) with the services' URLs, NAMESPACE = `namespace` and `env`.
 * Its stderr goes to the test's, so a crash in the child is visible.
 */
export function testChildren(services: ServicesWithExtras, namespace: string) {
  const children: ChildProcess[] = [];
  afterAll(() => {
    for (const c of children) c.kill('SIGKILL');
  });
  return function start(script: URL | string, env: Record<string, string> = {}): TestChild {
    const path = script instanceof URL ? script.pathname : script;
    const urls: Record<string, string> = {};
    const postgres = process.env.DATABASE_URL ?? services.backends.postgres?.url;
    const redis = process.env.REDIS_URL ?? services.backends.redis?.url;
    if (postgres) urls.DATABASE_URL = postgres;
    if (redis) urls.REDIS_URL = redis;
    const proc = spawn(process.execPath, ['--import', 'tsx', path], {
      env: { ...process.env, ...urls, NAMESPACE: namespace, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(proc);
    const { out } = keepOutput(proc, path);
    const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
    return {
      proc,
      out,
      printed: (line, what = `the child to print '${line}'`) =>
        until(() => out().split('\n').includes(line), what),
      async kill() {
        if (proc.exitCode === null && proc.signalCode === null) proc.kill('SIGKILL');
        await exited;
      },
    };
  };
}
