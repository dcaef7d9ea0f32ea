/**
 * Worker processes for a lab or a test (Q14): each is `node --import tsx worker-main's entry` (one
 * process, not a tsx wrapper, so a SIGKILL hits the process that holds the job), given the pipeline
 * config in its environment. `stopAt` arms the worker's stop point (worker-main.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import type { RetrainConfig } from './config.ts';

export interface WorkerProcess {
  name: string;
  proc: ChildProcess;
  /** Everything it printed on stdout so far. */
  out(): string;
  /** Resolves when its stdout has printed `text` (rejects if it exits first or after `timeoutMs`). */
  waitFor(text: string, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): Promise<void>;
}

const ENTRY = new URL('./cli.ts', import.meta.url).pathname;

export function spawnWorker(config: RetrainConfig, name: string, stopAt?: string): WorkerProcess {
  const proc = spawn(process.execPath, ['--import', 'tsx', ENTRY, 'worker'], {
    env: { ...process.env, RETRAIN_CONFIG: JSON.stringify(config), WORKER_NAME: name, STOP_AT: stopAt ?? '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout?.on('data', (b: Buffer) => {
    out += b.toString();
  });
  proc.stderr?.on('data', (b: Buffer) => {
    err += b.toString();
  });
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    name,
    proc,
    out: () => out,
    async waitFor(text, timeoutMs = 60_000) {
      const deadline = Date.now() + timeoutMs;
      while (!out.includes(text)) {
        if (proc.exitCode !== null || proc.signalCode !== null)
          throw new Error(
            `worker ${name} exited before printing "${text}": ${err.trim().split('\n').slice(-3).join(' | ')}`,
          );
        if (Date.now() > deadline)
          throw new Error(
            `worker ${name} did not print "${text.trim()}" within ${timeoutMs} ms; stdout: ${JSON.stringify(out.slice(-200))}, stderr: ${JSON.stringify(err.slice(-400))}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
    async kill(signal) {
      if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal);
      // A worker stopped at a fault point never finishes its job, so a graceful close would wait forever.
      const forced = setTimeout(() => proc.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(forced);
    },
  };
}
