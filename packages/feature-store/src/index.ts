/**
 * @mlops-lab/feature-store: feature views, the offline store with its point-in-time join (Postgres),
 * the online store (Redis) and materialization between them (Q5-Q10). README.md in this package.
 */
export {
  checkTtl,
  defineFeatureView,
  describeFeatureViews,
  type FeatureListing,
  formatTtl,
  INGEST_SEQ_COLUMN,
  isSqlIdentifier,
  sourceColumns,
} from './definitions.ts';
export { FeatureStoreError, type FeatureStoreErrorCode } from './errors.ts';
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
  MAX_TIMESTAMP_MS,
  MIN_TIMESTAMP_MS,
  type Queryable,
} from './validate.ts';
