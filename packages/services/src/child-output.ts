/**
 * What a child process prints, kept as text while it runs, and a wait for a line of it: what every
 * place that starts a process and reads what it says needs (Docker's commands, the CLI tests'
 * runScript, the process fixtures' first line, retrain's worker processes). A wait that cannot
 * succeed fails, naming the child, what it waited for and the child's last words: once the child
 * has exited without printing it, or past its deadline (generous: a loaded CI machine).
 */
import type { ChildProcess } from 'node:child_process';

export interface ChildOutput {
  /** Everything the child printed on stdout so far. */
  out(): string;
  /** Everything on stderr so far ('' when its stderr is not piped). */
  err(): string;
  /**
   * Resolves once stdout holds `pattern`, with the match (a RegExp's groups after it); rejects when
   * the child exits without printing it, or after `timeoutMs`.
   */
  printed(pattern: string | RegExp, timeoutMs?: number): Promise<string[]>;
}

/** How long output may still arrive after the exit (it is read from the pipes after the 'exit' event). */
const AFTER_EXIT_MS = 200;

/** Keeps `proc`'s piped stdout and stderr; `name` (e.g. `worker w1`) names it in a failed wait. */
export function keepOutput(proc: ChildProcess, name: string): ChildOutput {
  let out = '';
  let err = '';
  proc.stdout?.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  proc.stderr?.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  let closed = false;
  proc.once('close', () => {
    closed = true;
  });
  return {
    out: () => out,
    err: () => err,
    async printed(pattern, timeoutMs = 60_000) {
      const what = typeof pattern === 'string' ? JSON.stringify(pattern) : String(pattern);
      const deadline = Date.now() + timeoutMs;
      let exitSeenAt: number | undefined;
      for (;;) {
        const match =
          typeof pattern === 'string' ? (out.includes(pattern) ? [pattern] : null) : out.match(pattern);
        if (match) return [...match];
        if (exitSeenAt === undefined && (proc.exitCode !== null || proc.signalCode !== null))
          exitSeenAt = Date.now();
        // Closed: every byte has been read. A grandchild holding the pipe open must not hang the wait.
        if (closed || (exitSeenAt !== undefined && Date.now() - exitSeenAt > AFTER_EXIT_MS)) {
          const last = (err.trim() || out.trim()).split('\n').slice(-3).join(' | ');
          throw new Error(`${name} exited before printing ${what}: ${last}`);
        }
        if (Date.now() > deadline)
          throw new Error(
            `${name} did not print ${what} within ${timeoutMs} ms; stdout: ${JSON.stringify(out.slice(-200))}, stderr: ${JSON.stringify(err.slice(-400))}`,
          );
        await new Promise((r) => setTimeout(r, 20));
      }
    },
  };
}
