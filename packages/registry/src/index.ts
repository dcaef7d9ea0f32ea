/**
 * @mlops-lab/registry: immutable content-addressed model artifacts, integer versions per model name,
 * movable aliases with history, and weighted routing configuration in Redis (Q18).
 * Reference: MLflow Model Registry (versions + aliases such as `champion`); routing as data, not code.
 */

export {
  type ArtifactFiles,
  artifactsRoot,
  hashFiles,
  loadArtifact,
  type PutResult,
  putArtifact,
} from './artifacts.ts';
export { RegistryError, type RegistryErrorCode } from './errors.ts';
export {
  type AliasChange,
  aliasHistory,
  checkAlias,
  checkModelName,
  checkReason,
  checkVersion,
  getAlias,
  getVersion,
  listVersions,
  type ModelRef,
  type ModelVersion,
  nonFiniteMetric,
  parseRef,
  parseVersion,
  type Registered,
  type RegisterInput,
  registerModel,
  resolve,
  setAlias,
  versionHolding,
} from './models.ts';
export {
  checkRoutingShape,
  chooseTarget,
  getRouting,
  type RoutingChange,
  type RoutingChangeInput,
  type RoutingConfig,
  type RoutingStore,
  readRouting,
  routingHistory,
  routingKey,
  routingMigrations,
  type SetRoutingResult,
  type StoredRouting,
  setRouting,
  validateRouting,
} from './routing.ts';
export { type RoutingWatch, type WatchHealth, type WatchOptions, watchRouting } from './routing-watch.ts';
export { migrateRegistry, registryMigrations } from './schema.ts';
