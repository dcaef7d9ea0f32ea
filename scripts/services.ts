/**
 * `pnpm services:up | down | status | reset`: thin entry; the logic lives in @mlops-lab/services
 * (packages/services/src/cli.ts), ARCHITECTURE.md "Services".
 */
import { runCli } from '@mlops-lab/services';

process.exitCode = await runCli(process.argv.slice(2));
