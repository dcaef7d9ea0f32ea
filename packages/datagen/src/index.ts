/**
 * @mlops-lab/datagen: seeded synthetic worlds for the labs. The payments world produces tabular
 * events with a known fraud rule and drift knobs (Q4 data vs concept drift, Q5 skew, Q27 detection);
 * `mixSeed` and `createRng` give every package the same deterministic randomness, and `fnv1a32` /
 * `fmix32` are the workspace's one 32-bit string hash.
 */
export { numericColumn, type PaymentColumns, toColumns } from './columns.ts';
export {
  type Corpus,
  type CorpusDocument,
  type CorpusQuery,
  type CorpusSpec,
  generateCorpus,
  type RelevanceGrade,
  TOPICS,
} from './corpus.ts';
export {
  type CustomerHistory,
  customerActivityRows,
  type Dispute,
  fraudDisputes,
  generateCustomerHistory,
  type HistoryFeatureRow,
  type HistorySpec,
} from './customer-history.ts';
export { FNV32_OFFSET, fmix32, fnv1a32 } from './hash.ts';
export { SEASON, seasonIntensity } from './knobs.ts';
export { type FraudInputs, fraudProbability, LABEL_RULES } from './labels.ts';
export { type FeatureStats, generatePayments, REFERENCE_WINDOW, referenceStats } from './payments.ts';
export { createRng, DatagenInputError, mixSeed, mulberry32, type Rng } from './rng.ts';
export type { DriftKnobs, LabelRule, PaymentEvent, WindowSpec } from './types.ts';
export {
  CATEGORICAL_FEATURES,
  CATEGORY_PROFILES,
  type CategoricalFeature,
  type CategoryProfile,
  CHANNELS,
  COUNTRIES,
  type FeatureName,
  MERCHANT_CATEGORIES,
  NUMERIC_FEATURES,
  type NumericFeature,
  PAYMENT_FEATURES,
} from './world.ts';
