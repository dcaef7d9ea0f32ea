/**
 * @mlops-lab/registry: immutable content-addressed model artifacts, integer versions per model name,
 * movable aliases with history, and weighted routing as configuration: the table and its history in
 * Postgres, change notices in Redis, the table kept in force while serving, sticky assignment (Q18).
 * Reference: MLflow Model Registry (versions + aliases such as `champion`); routing as data, not code.
 */

export {
  type AliasChange,
  type AliasSwap,
  aliasHistory,
  compareAndSetAlias,
  getAlias,
  listAliases,
  type ModelRef,
  nonFiniteMetric,
  parseRef,
  resolve,
  setAlias,
} from './aliases.ts';
export {
  type ArtifactFiles,
  artifactsRoot,
  hashFiles,
  loadArtifact,
  type PutResult,
  putArtifact,
} from './artifacts.ts';
export { pinnedSnapshots, snapshotDataRef, snapshotOfDataRef } from './data-ref.ts';
export { RegistryError, type RegistryErrorCode } from './errors.ts';
export { checkAlias, checkModelName, checkReason, checkVersion, parseVersion } from './input.ts';
export {
  getVersion,
  listVersions,
  type ModelVersion,
  type Registered,
  type RegisterInput,
  registerModel,
  versionHolding,
} from './models.ts';
// Routing, also its own entry (`@mlops-lab/registry/routing`).
export * from './routing-entry.ts';
export { migrateRegistry, registryMigrations } from './schema.ts';
