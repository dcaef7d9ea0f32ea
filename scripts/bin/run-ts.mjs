/**
 * The root commands (`pnpm lab`, `pnpm bench`, `pnpm train`, ...) are bins of this package, not
 * package.json scripts, and each runs its TypeScript entry through this file (`pnpm serve` and
 * `pnpm ci:model` too, as scripts: see serve.mjs and ci-model.mjs). Two reasons, both seen by users:
 * - pnpm prints "ELIFECYCLE Command failed with exit code 1" after every script that exits non-zero,
 *   which after an expected exit (a break flipping its checks, a usage error, a gate refusing a model)
 *   reads like a crash. pnpm runs a bin as `pnpm exec` does: the exit code passes through, with no
 *   line of its own.
 * - The tsx CLI runs the entry in a child process and relays signals to it, killing a child that does
 *   not acknowledge within a few tens of milliseconds: a Ctrl-C of `pnpm serve` on a loaded machine
 *   could end in exit 143 mid-drain. Here tsx's loader is registered in this process, so the entry's
 *   own signal handlers are the only ones.
 */
import { fileURLToPath } from 'node:url';
import { register } from 'tsx/esm/api';

/** Runs `entry` (a path from the repository root) as this process's main module. */
export async function runTs(entry) {
  register();
  const url = new URL(`../../${entry}`, import.meta.url);
  // An entry that checks whether it is the main module compares argv[1] with its own URL.
  process.argv[1] = fileURLToPath(url);
  await import(url.href);
}
