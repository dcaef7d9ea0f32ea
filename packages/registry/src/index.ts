/**
 * @mlops-lab/registry: immutable content-addressed model artifacts, integer versions per model name,
 * movable aliases with history, and weighted routing as configuration: the table and its history in
 * Postgres, change notices in Redis, the table kept in force while serving, sticky assignment (Q18).
 * Reference: MLflow Model Registry (versions + aliases such as `champion`); routing as data, not code.
 *
 * What other packages and the labs use, with the types those signatures name. Following a routing
 * table (the follower, its sources, assignment) is the entry `@mlops-lab/registry/routing`, which
 * also names the routing types the functions here take.
 */

export {
  type AliasChange,
  type AliasSwap,
  aliasHistory,
  compareAndSetAlias,
  getAlias,
  type ModelRef,
  parseRef,
  resolve,
  setAlias,
} from './aliases.ts';
export { type ArtifactFiles, artifactsRoot, loadArtifact, type PutResult, putArtifact } from './artifacts.ts';
export { pinnedSnapshots, snapshotDataRef, snapshotOfDataRef } from './data-ref.ts';
export { RegistryError, type RegistryErrorCode } from './errors.ts';
export { checkModelName } from './input.ts';
export {
  getVersion,
  listVersions,
  type ModelVersion,
  type Registered,
  type RegisterInput,
  registerModel,
} from './models.ts';
export {
  type RoutingChange,
  type RoutingChangeInput,
  routingHistory,
  type SetRoutingResult,
  setRouting,
} from './routing.ts';
export { stickyDraw } from './routing-assign.ts';
export { registryTableSource } from './routing-follow.ts';
export { migrateRegistry } from './schema.ts';
