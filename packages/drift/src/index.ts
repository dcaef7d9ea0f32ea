/**
 * @mlops-lab/drift: two-sample drift tests (KS, chi-squared), effect sizes (PSI, normalized Wasserstein,
 * Jensen–Shannon), multiple-testing control, and a profile-based drift detector (Q4, Q26, Q27).
 * Statistical functions match scipy 1.17; see README.md for the reference of each.
 *
 * This entry exports the tests, the effect sizes, the detector and its profile store, with the types
 * their signatures name. The special functions under them (the gamma and Kolmogorov / Smirnov tails)
 * and the pre-sorted KS variants are the package's second face, `@mlops-lab/drift/special`.
 */
export { type CategoricalInput, type CategoryValue, NULL_CATEGORY } from './categories.ts';
export { type ChiSquaredResult, chiSquaredTest } from './chi2.ts';
export type {
  CellValue,
  Column,
  Columns,
  Dataset,
  FeatureSpec,
  FeatureType,
  Row,
  Schema,
} from './columns.ts';
export {
  type CompareOptions,
  compare,
  DEFAULT_THRESHOLDS,
  type DriftReport,
  type EffectThresholds,
  type FeatureDrift,
} from './detector.ts';
export {
  jensenShannon,
  type ScaleBasis,
  type WassersteinNormalized,
  wassersteinDistance,
  wassersteinNormalized,
} from './distances.ts';
export { DriftInputError, ProfileNotFoundError } from './errors.ts';
export type { DriftTest } from './feature-drift.ts';
export type { NanPolicy, NumericInput } from './input.ts';
export {
  type KsMethod,
  type KsOptions,
  type KsResult,
  ks2Sample,
} from './ks.ts';
export { type AdjustedPValues, benjaminiHochberg, bonferroni } from './multiple-testing.ts';
export {
  buildProfile,
  type CategoricalFeatureProfile,
  DEFAULT_SAMPLE_SIZE,
  type FeatureProfile,
  type NumericFeatureProfile,
  type NumericSummary,
  type Profile,
  type Profile as DriftProfile,
  type ProfileOptions,
} from './profile.ts';
export {
  type DriftMigration,
  deleteProfile,
  driftMigrations,
  loadProfile,
  type Queryable,
  saveProfile,
} from './profile-store.ts';
export { type PsiBin, type PsiOptions, type PsiResult, psi } from './psi.ts';
