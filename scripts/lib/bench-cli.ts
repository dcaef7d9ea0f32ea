/**
 * `pnpm bench`: list the benchmarks of the catalogue (scripts/benches.ts) and run one with tsx as a
 * child process (ARCHITECTURE.md "Conventions": every benchmark compares against a baseline in the
 * same run). The child inherits stdio, gets the remaining arguments and its exit code is ours.
 * `benchMain` takes the catalogue and the repository root so tests can give it fake benchmarks.
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { join } from 'node:path';
import { type BenchDefinition, formatTable } from '@mlops-lab/benchkit';

export interface BenchIO {
  root: string;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

function list(benches: readonly BenchDefinition[], to: BenchIO['stdout']): void {
  to.write('benchmarks (each takes --quick, its fast mode):\n');
  if (benches.length === 0) to.write('  (none: add one to scripts/benches.ts)\n');
  else {
    const rows = benches.map((b) => [b.name, b.needs.join(', ') || '-', b.options ?? '', b.title]);
    for (const line of formatTable(['name', 'services', 'options', 'measures'], rows)) to.write(`${line}\n`);
  }
  to.write('run one: pnpm bench <name> [--quick] [options]   (the list: scripts/benches.ts)\n');
}

export async function benchMain(
  argv: string[],
  benches: readonly BenchDefinition[],
  io: BenchIO,
): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h') {
    list(benches, io.stdout);
    return 0;
  }
  const bench = benches.find((b) => b.name === name);
  if (!bench) {
    io.stderr.write(`error: unknown benchmark "${name}"\n`);
    list(benches, io.stderr);
    return 2;
  }
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const child = spawn(process.execPath, [tsx, join(io.root, bench.file), ...rest], {
    cwd: io.root,
    stdio: 'inherit',
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      // Killed by a signal: the shell convention 128 + signal number.
      if (signal) resolve(128 + (constants.signals[signal] ?? 0));
      else resolve(code ?? 1);
    });
  });
}
