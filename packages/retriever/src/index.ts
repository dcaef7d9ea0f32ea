/**
 * @mlops-lab/retriever: exact, HNSW and pgvector retrievers behind one contract (Q21, Q22), with
 * retrieval metrics, an embedder and a faithfulness check. README.md in this package.
 */
export {
  type AuditFinding,
  type AuditOptions,
  type AuditReport,
  auditIndex,
} from './audit.ts';
export {
  CHANGE_FEED_MIGRATIONS,
  dropPosition,
  FEED_START,
  type FeedChange,
  type FeedPosition,
  readChanges,
  readPosition,
  requeueDocuments,
  type SourceDocument,
  writePosition,
} from './change-feed.ts';
export { cosineDistance, distanceFn, negativeInnerProduct, normalize, squaredL2 } from './distance.ts';
export {
  cosineSimilarity,
  createEmbedder,
  type Embedder,
  type EmbedderOptions,
  type VersionedVector,
  versionedCosine,
} from './embedder.ts';
export { RetrieverError, UnsupportedFilterError } from './errors.ts';
export { type ExactOptions, ExactRetriever } from './exact.ts';
export {
  answerExtractively,
  type ClaimVerdict,
  checkFaithfulness,
  type ExtractiveAnswer,
  type FaithfulnessJudge,
  type FaithfulnessOptions,
  type FaithfulnessResult,
  lexicalJudge,
  type Passage,
  splitSentences,
} from './faithfulness.ts';
export { type CompiledFilter, compileFilter } from './filter.ts';
export { HNSW_DEFAULTS, type HnswOptions, HnswRetriever } from './hnsw.ts';
export {
  type CompactOptions,
  type CompactResult,
  compactIndex,
  IndexState,
  liveDocuments,
  type SyncOptions,
  type SyncResult,
  syncIndex,
  upsertDocument,
  VECTOR_FIELDS,
  type VectorProvenance,
  vectorMetadata,
} from './indexing.ts';
export {
  dcgAtK,
  evaluateRun,
  idealDcgAtK,
  mrrAtK,
  ndcgAtK,
  precisionAtK,
  type Qrels,
  type QueryMeasure,
  type QueryMetrics,
  type RelevanceOptions,
  type RunEvaluation,
  type RunOptions,
  recallAtK,
  topKDistinct,
} from './metrics.ts';
export { type GradeBreakdown, type NdcgBreakdown, ndcgByGrade } from './metrics-breakdown.ts';
export {
  detectMixedVersions,
  IndexAlias,
  type MigrationOptions,
  type MigrationProgress,
  type MigrationResult,
  migrateEmbeddings,
  overlapAtK,
  type VersionedIndex,
} from './migration.ts';
export { type PgvectorOptions, PgvectorRetriever } from './pgvector.ts';
export type {
  FieldCondition,
  Filter,
  Metadata,
  Retriever,
  Scalar,
  SearchHit,
  Space,
  Vector,
} from './types.ts';
