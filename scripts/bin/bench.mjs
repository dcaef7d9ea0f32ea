#!/usr/bin/env node
// `pnpm bench`: runs scripts/bench.ts (see run-ts.mjs for why a bin).
import { runTs } from './run-ts.mjs';

await runTs('scripts/bench.ts');
