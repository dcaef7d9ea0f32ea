/**
 * Worker processes for a lab or a test (Q14): each is `node --import tsx worker-main's entry` (one
 * process, not a tsx wrapper, so a SIGKILL hits the process that holds the job), given the pipeline
 * config in its environment. `stopAt` arms the worker's stop point (worker-main.ts).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { keepOutput } from '@mlops-lab/services';
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
  const output = keepOutput(proc, `worker ${name}`);
  const exited = new Promise<void>((resolve) => proc.once('exit', () => resolve()));
  return {
    name,
    proc,
    out: output.out,
    async waitFor(text, timeoutMs) {
      await output.printed(text, timeoutMs);
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
