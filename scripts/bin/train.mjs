#!/usr/bin/env node
// `pnpm train`: runs packages/training/src/train-cli.ts (see run-ts.mjs for why a bin).
import { runTs } from './run-ts.mjs';

await runTs('packages/training/src/train-cli.ts');
