/**
 * @mlops-lab/retriever: exact, HNSW and pgvector retrievers behind one contract (Q21, Q22), with
 * retrieval metrics, an embedder, a faithfulness check, incremental indexing and embedding migration.
 * README.md in this package. The root exports what the labs use, with the types its signatures name
 * and the errors it throws; the rest (distances, single metrics, feed internals, the filter compiler)
 * stays in its file.
 */
export { type AuditOptions, type AuditReport, auditIndex } from './audit.ts';
export {
  CHANGE_FEED_MIGRATIONS,
  type FeedPosition,
  readPosition,
  type SourceDocument,
} from './change-feed.ts';
export { createEmbedder, type Embedder, type EmbedderOptions, type VersionedVector } from './embedder.ts';
export { RetrieverError, UnsupportedFilterError } from './errors.ts';
export { type ExactOptions, ExactRetriever } from './exact.ts';
export {
  answerExtractively,
  checkFaithfulness,
  type ExtractiveAnswer,
  type FaithfulnessOptions,
  type FaithfulnessResult,
  type Passage,
  splitSentences,
} from './faithfulness.ts';
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
} from './indexing.ts';
export { evaluateRun, type Qrels, type RunEvaluation, type RunOptions, topKDistinct } from './metrics.ts';
export { type NdcgBreakdown, ndcgByGrade } from './metrics-breakdown.ts';
export {
  detectMixedVersions,
  IndexAlias,
  type MigrationOptions,
  type MigrationResult,
  migrateEmbeddings,
  type VersionedIndex,
} from './migration.ts';
export { type PgvectorOptions, PgvectorRetriever } from './pgvector.ts';
export type { Filter, Metadata, Retriever, SearchHit, Space, Vector } from './types.ts';
