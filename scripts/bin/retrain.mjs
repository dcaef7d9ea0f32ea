#!/usr/bin/env node
// `pnpm retrain`: runs packages/training/src/retrain/cli.ts (see run-ts.mjs for why a bin).
import { runTs } from './run-ts.mjs';

await runTs('packages/training/src/retrain/cli.ts');
