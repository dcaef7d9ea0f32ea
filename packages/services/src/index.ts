/**
 * @mlops-lab/services: Postgres (pg) and Redis (ioredis) for labs, tests and benchmarks, resolved
 * env URL -> Docker Compose -> embedded (PGlite + redis-server), namespaced per run, with migrations
 * and clean shutdown. ARCHITECTURE.md "Services"; README.md in this package.
 *
 * Four faces: this one (acquire, migrations, transactions, the CLI helpers, a child process's output
 * kept), `./sql` (transactions, `Queryable`, `quoteIdent`: no embedded server loaded), `./testing`
 * (CLIs run in a sandbox, a killable redis-server) and `./vitest` (the fixture).
 * Docker, planning and status internals stay inside.
 */

export { type ChildOutput, keepOutput } from './child-output.ts';
export { type CliIO, runCli } from './cli.ts';
export { type CommandLine, parseCommandLine, runCommand, UsageError, usageCheck } from './command-line.ts';
export {
  errorMessage,
  isServiceError,
  MigrationError,
  ServiceError,
  type ServiceErrorCode,
} from './errors.ts';
export { migrate } from './migrate.ts';
export { createPool } from './postgres.ts';
export { acquire, type ServicesWithExtras } from './services.ts';
export { interruptedBy } from './shutdown.ts';
export { inTransaction, transactionOn } from './sql.ts';
export type {
  AcquireOptions,
  BackendInfo,
  BackendKind,
  Migration,
  ServiceNeed,
  Services,
} from './types.ts';
