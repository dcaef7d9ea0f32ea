#!/usr/bin/env node
// `pnpm monitor`: runs packages/monitoring/src/report-cli.ts (see run-ts.mjs for why a bin).
import { runTs } from './run-ts.mjs';

await runTs('packages/monitoring/src/report-cli.ts');
