#!/usr/bin/env node
// `pnpm registry`: runs packages/registry/src/cli.ts (see run-ts.mjs for why a bin).
import { runTs } from './run-ts.mjs';

await runTs('packages/registry/src/cli.ts');
