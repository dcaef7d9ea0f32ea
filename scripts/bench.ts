/**
 * Entry point of `pnpm bench` (DESIGN.md "Conventions": benchmarks); the logic lives in lib/bench-cli.ts.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benchMain } from './lib/bench-cli.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
process.exitCode = await benchMain(process.argv.slice(2), {
  root,
  stdout: process.stdout,
  stderr: process.stderr,
});
