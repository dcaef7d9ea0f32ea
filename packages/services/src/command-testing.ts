/**
 * Runs one of the repo's command-line scripts (`pnpm train`, `pnpm registry`, `pnpm serve`) as a
 * user would, in a child process, for tests: `node --import tsx <script>` from the repo root, on the embedded
 * Postgres in a data folder of the test's choosing. DATABASE_URL / REDIS_URL are removed so a test
 * never writes into a shared server's kept `registry` schema, and Docker is not probed.
 * `commandUnderTest` is the set-up of a test file about one such command.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { keepOutput } from './child-output.ts';
import { repoRoot } from './paths.ts';

export interface ScriptResult {
  status: number | null;
  stdout: string;
  stderr: string;
  /** Non-empty stderr lines: what a person reads when the command refuses. */
  stderrLines: string[];
}

/** Starts `node --import tsx <script> ...args` (script relative to the repo root) with MLOPS_LAB_DATA_DIR = dataDir. */
export function spawnScript(script: string, args: string[], dataDir: string): ChildProcess {
  const env: NodeJS.ProcessEnv = { ...process.env, MLOPS_LAB_DATA_DIR: dataDir, MLOPS_LAB_NO_DOCKER: '1' };
  delete env.DATABASE_URL;
  delete env.REDIS_URL;
  delete env.MLOPS_LAB_ARTIFACTS_DIR; // artifacts then live in dataDir too, where a test can look
  const root = repoRoot();
  // `node --import tsx`, not the tsx CLI: the CLI is a second process that relays signals and, when
  // its child does not acknowledge one within ~60 ms (a loaded machine), SIGKILLs it and exits 143.
  // A test that signals the command must reach the command itself.
  return spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

/** Runs the script to its end and returns its exit status and output. */
export async function runScript(script: string, args: string[], dataDir: string): Promise<ScriptResult> {
  const child = spawnScript(script, args, dataDir);
  const output = keepOutput(child, script);
  const [status] = (await once(child, 'close')) as [number | null];
  const stderr = output.err();
  return {
    status,
    stdout: output.out(),
    stderr,
    stderrLines: stderr.split('\n').filter((l) => l.trim() !== ''),
  };
}

/**
 * Temporary data folders for the scripts a test file runs; `cleanup()` (in afterAll) removes them.
 * `usageError` is the check every "refused before any work" test makes.
 */
export function scriptSandbox(prefix: string) {
  const dirs: string[] = [];
  const dir = (): string => {
    const created = mkdtempSync(join(tmpdir(), prefix));
    dirs.push(created);
    return created;
  };
  return {
    dir,
    /**
     * Runs the script in a fresh folder and returns the one stderr line of its usage error. Throws
     * (failing the test) unless it exited 2 with exactly one line, started no service and stored no
     * artifact: the refusal came before any work.
     */
    async usageError(script: string, args: string[]): Promise<string> {
      const folder = dir();
      const result = await runScript(script, args, folder);
      const problems = [
        result.status !== 2 && `exit ${result.status}, not 2`,
        result.stderrLines.length !== 1 && `${result.stderrLines.length} stderr lines, not 1`,
        existsSync(join(folder, 'pglite')) && 'a service was started',
        existsSync(join(folder, 'artifacts')) && 'an artifact was stored',
      ].filter((p) => p !== false);
      if (problems.length > 0) {
        const call = [script, ...args.map((a) => a.slice(0, 40))].join(' ');
        throw new Error(`${call}: ${problems.join('; ')}\n${result.stderr.slice(0, 2000)}`);
      }
      return result.stderrLines[0];
    },
    cleanup(): void {
      for (const folder of dirs.splice(0)) rmSync(folder, { recursive: true, force: true });
    },
  };
}

/**
 * The command a CLI test file is about, at the top of the file: registers the afterAll that removes
 * its data folders and returns the calls its tests make. `refusal(...args)` is the one stderr line
 * of a usage error given before any work (`usageError`); `run(args, dir?)` runs it to its end, in a
 * fresh folder unless given one; `spawn(args, dir)` starts it; `dir()` hands out a folder for
 * calls that share one (a `pnpm train` whose model a later call reads).
 */
export function commandUnderTest(script: string) {
  const sandbox = scriptSandbox(
    `${script
      .replace(/^packages\//, '')
      .replace(/\.ts$/, '')
      .replace(/\W+/g, '-')}-`,
  );
  afterAll(() => sandbox.cleanup());
  return {
    dir: sandbox.dir,
    refusal: (...args: string[]) => sandbox.usageError(script, args),
    run: (args: string[], dataDir = sandbox.dir()) => runScript(script, args, dataDir),
    spawn: (args: string[], dataDir: string) => spawnScript(script, args, dataDir),
  };
}
