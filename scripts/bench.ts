/**
 * Entry point of `pnpm bench` (ARCHITECTURE.md "Conventions": benchmarks); the catalogue is
 * benches.ts, the logic lib/bench-cli.ts.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { benches } from './benches.ts';
import { benchMain } from './lib/bench-cli.ts';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
process.exitCode = await benchMain(process.argv.slice(2), benches, {
  root,
  stdout: process.stdout,
  stderr: process.stderr,
});
