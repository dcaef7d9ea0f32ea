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
  getAlias,
  getVersion,
  listVersions,
  type ModelRef,
  type ModelVersion,
  migrateRegistry,
  parseRef,
  type RegisterInput,
  registerModel,
  registryMigrations,
  resolve,
  setAlias,
} from './models.ts';
export {
  checkRoutingShape,
  chooseTarget,
  getRouting,
  type RoutingConfig,
  type RoutingStore,
  routingKey,
  setRouting,
  validateRouting,
  type WatchOptions,
  watchRouting,
} from './routing.ts';
