#!/usr/bin/env node
// `pnpm lab`: runs scripts/lab.ts (see run-ts.mjs for why a bin).
import { runTs } from './run-ts.mjs';

await runTs('scripts/lab.ts');
