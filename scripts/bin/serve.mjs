#!/usr/bin/env node
// `pnpm serve` (a package.json script, not a bin: pnpm waits for a script after a Ctrl-C, so the
// server drains and the command exits 0; a bin would return 130 at once, mid-drain): runs
// packages/model-server/src/serve-cli.ts (see run-ts.mjs).
import { runTs } from './run-ts.mjs';

await runTs('packages/model-server/src/serve-cli.ts');
