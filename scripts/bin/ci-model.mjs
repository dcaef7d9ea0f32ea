#!/usr/bin/env node
// `pnpm ci:model` (a script: a bin name cannot hold a colon): runs packages/training/src/ci-cli.ts (see run-ts.mjs for why a bin).
import { runTs } from './run-ts.mjs';

await runTs('packages/training/src/ci-cli.ts');
