/**
 * `pnpm bench`: list the benchmarks (`packages/<pkg>/bench/<name>.ts`) and run one with tsx as a
 * child process (DESIGN.md "Conventions": every benchmark compares against a baseline in the
 * same run). The child inherits stdio, gets the remaining arguments and its exit code is ours.
 * `benchMain` takes the repository root so tests can point it at a temporary tree.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { join, relative } from 'node:path';

export interface Bench {
  /** What `pnpm bench <name>` takes: the file name, or `<pkg>/<name>` when two packages share it. */
  name: string;
  file: string;
}

export interface BenchIO {
  root: string;
  stdout: { write(chunk: string): unknown };
  stderr: { write(chunk: string): unknown };
}

const isBenchFile = (f: string) => f.endsWith('.ts') && !f.endsWith('.test.ts') && !f.endsWith('.d.ts');

export function findBenches(root: string): Bench[] {
  const packagesDir = join(root, 'packages');
  if (!existsSync(packagesDir)) return [];
  const found: { pkg: string; base: string; file: string }[] = [];
  for (const pkg of readdirSync(packagesDir).sort()) {
    const dir = join(packagesDir, pkg, 'bench');
    if (!existsSync(dir)) continue;
    for (const f of readdirSync(dir).filter(isBenchFile).sort()) {
      found.push({ pkg, base: f.slice(0, -'.ts'.length), file: join(dir, f) });
    }
  }
  const count = (base: string) => found.filter((b) => b.base === base).length;
  return found.map((b) => ({ name: count(b.base) > 1 ? `${b.pkg}/${b.base}` : b.base, file: b.file }));
}

function list(benches: Bench[], io: BenchIO, to: BenchIO['stdout']): void {
  to.write('benchmarks:\n');
  if (benches.length === 0) to.write('  (none: add packages/<pkg>/bench/<name>.ts)\n');
  const width = Math.max(0, ...benches.map((b) => b.name.length));
  for (const b of benches) to.write(`  ${b.name.padEnd(width)}  ${relative(io.root, b.file)}\n`);
  to.write('run one: pnpm bench <name> [args passed to the benchmark]\n');
}

export async function benchMain(argv: string[], io: BenchIO): Promise<number> {
  const args = argv[0] === '--' ? argv.slice(1) : argv;
  const benches = findBenches(io.root);
  const [name, ...rest] = args;
  if (name === undefined || name === '--help' || name === '-h') {
    list(benches, io, io.stdout);
    return 0;
  }
  const bench = benches.find((b) => b.name === name);
  if (!bench) {
    io.stderr.write(`error: unknown benchmark "${name}"\n`);
    list(benches, io, io.stderr);
    return 2;
  }
  const tsx = createRequire(import.meta.url).resolve('tsx/cli');
  const child = spawn(process.execPath, [tsx, bench.file, ...rest], { cwd: io.root, stdio: 'inherit' });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      // Killed by a signal: the shell convention 128 + signal number.
      if (signal) resolve(128 + (constants.signals[signal] ?? 0));
      else resolve(code ?? 1);
    });
  });
}
