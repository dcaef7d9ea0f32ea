/**
 * @mlops-lab/feature-store: feature views, the offline store with its point-in-time join (Postgres),
 * the online store (Redis) and materialization between them (Q5-Q10). README.md in this package.
 *
 * What a caller of the store uses, with the types its signatures name; the encodings, key hashing,
 * identifier rules and timestamp bounds under them stay inside (their files, for the package's tests
 * and benches).
 */

export {
  type CompareOptions,
  type ConsistencyReport,
  checkConsistency,
  compareServedToOffline,
  type FeatureConsistency,
  type Mismatch,
  type OfflineReader,
  type OnlineReader,
  offlineReader,
  replayOnlineReader,
  type SamplePoint,
} from './consistency.ts';
export {
  defineFeatureView,
  describeFeatureViews,
  type FeatureListing,
} from './definitions.ts';
export { FeatureStoreError, type FeatureStoreErrorCode } from './errors.ts';
export {
  type MaterializeOptions,
  type MaterializeProgress,
  type MaterializeResult,
  type MaterializeTarget,
  materialize,
  materializeIncremental,
} from './materialize.ts';
export {
  buildHistoricalQuery,
  type EntityRow,
  getHistoricalFeatures,
  type HistoricalFeaturesRequest,
  type HistoricalProbe,
  type HistoricalQuery,
  type HistoricalRow,
} from './offline.ts';
export {
  createSourceIndex,
  createSourceTable,
  type FeatureRow,
  insertFeatureRows,
  newestFirstOrderBy,
} from './offline-source.ts';
export {
  applyOnDemand,
  computeOnDemand,
  defineOnDemandFeature,
  type OnDemandFeature,
  type OnDemandFeatureSpec,
  type OnDemandInputValues,
  REQUEST_TIME,
  type ServedOnDemand,
  secondsSinceLastEvent,
  serveOnDemand,
  type TrainingRow,
} from './on-demand.ts';
export {
  dumpOnline,
  type GetOnlineOptions,
  getOnlineFeatures,
  type OnlineFeatureRow,
  type OnlineRow,
  writeOnline,
} from './online.ts';
export { type OnlineStore, valuesEncoder } from './online-keys.ts';
export { getMaterializationState, type MaterializationState, stateMigrations } from './online-state.ts';
export {
  type OracleEntityRow,
  type OracleFeatureRow,
  type OracleOptions,
  type OracleResultRow,
  pointInTimeJoin,
} from './oracle.ts';
export {
  type FeatureViewFilter,
  featureRegistryMigrations,
  listFeatureViews,
  registerFeatureViews,
} from './registry.ts';
export type { Entity, FeatureSource, FeatureSpec, FeatureType, FeatureValue, FeatureView } from './types.ts';
export {
  checkSourceTables,
  type EntityKeys,
  type KeyedRow,
  type Queryable,
} from './validate.ts';
