/**
 * @mlops-lab/services: Postgres (pg) and Redis (ioredis) for labs, tests and benchmarks, resolved
 * env URL -> Docker Compose -> embedded (PGlite + redis-server), namespaced per run, with migrations
 * and clean shutdown. ARCHITECTURE.md "Services"; README.md in this package.
 */

export { type CliIO, runCli } from './cli.ts';
export { parseCommandLine, runCommand, UsageError, usageCheck } from './command-line.ts';
export { runScript, type ScriptResult, scriptSandbox, spawnScript } from './command-testing.ts';
export { composeArgs, dockerEngineAnswers, dockerUrls } from './docker.ts';
export {
  errorMessage,
  isServiceError,
  MigrationError,
  maskUrl,
  ServiceError,
  type ServiceErrorCode,
} from './errors.ts';
export { type KillableRedis, startKillableRedis } from './killable-redis.ts';
export { migrate } from './migrate.ts';
export { createPool } from './postgres.ts';
export { type Plan, planBackends } from './resolve.ts';
export { acquire, namesFor, type ServicesWithExtras, sanitizeNamespace } from './services.ts';
export { closeAllOpen } from './shutdown.ts';
export { collectStatus, formatStatus, type Status } from './status.ts';
export type {
  AcquireOptions,
  BackendInfo,
  BackendKind,
  Migration,
  ServiceNeed,
  Services,
} from './types.ts';
