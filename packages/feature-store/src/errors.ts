/**
 * Typed errors of @mlops-lab/feature-store. Every message names the offending input and the valid
 * choices, so a pipeline log says what to change without reading the stack. Thrown before any
 * Postgres or Redis call whenever the input alone shows the request cannot succeed (Q6, Q7).
 */

/**
 * What went wrong, for code that branches on it (a lab's `--break`, a test). Messages carry the detail.
 * - INVALID_VIEW: a feature view definition is malformed (name, join keys, duplicate feature, type).
 * - NEGATIVE_TTL: a ttl below zero (or not a number): no window can end before it starts.
 * - UNKNOWN_FEATURE / AMBIGUOUS_FEATURE: a requested feature is not in the views, or two views share it.
 * - BAD_ENTITY_ROW / BAD_FEATURE_ROW: a row lacks a join key or a usable timestamp, or has a bad value.
 * - MISSING_TABLE / MISSING_COLUMNS: the source table does not exist or lacks declared columns.
 * - WRONG_COLUMN_TYPE: a source timestamp column is not timestamptz.
 * - INDEX_NAME_TAKEN: the point-in-time index could not be made: another relation has its name.
 * - INVALID_INPUT: anything else the input alone shows to be wrong.
 */
export type FeatureStoreErrorCode =
  | 'INVALID_VIEW'
  | 'NEGATIVE_TTL'
  | 'UNKNOWN_FEATURE'
  | 'AMBIGUOUS_FEATURE'
  | 'BAD_ENTITY_ROW'
  | 'BAD_FEATURE_ROW'
  | 'MISSING_TABLE'
  | 'MISSING_COLUMNS'
  | 'WRONG_COLUMN_TYPE'
  | 'INDEX_NAME_TAKEN'
  | 'INVALID_INPUT';

/** Bad input: unknown feature, entity key without a join-key value, an empty or inverted time range. */
export class FeatureStoreError extends Error {
  override readonly name = 'FeatureStoreError';
  constructor(
    message: string,
    readonly code: FeatureStoreErrorCode = 'INVALID_INPUT',
  ) {
    super(message);
  }
}
