/**
 * @mlops-lab/model-server: HTTP model serving with warm-up-gated readiness, micro-batching, response
 * cache and request de-duplication, Prometheus metrics, graceful shutdown (Q16, Q19, Q31), and batch
 * scoring of a Postgres table as BullMQ jobs with the same model code (Q17). The HTTP limits it
 * serves under are @mlops-lab/http's, shared with the router. README.md in this package.
 */
export {
  batchScoringWorker,
  type ChunkJob,
  chunkJobId,
  type EnqueueResult,
  enqueueBatchScoring,
  type ScoringTable,
  scoreChunk,
  scoringQueue,
  scoringTableSql,
  type WorkerTuning,
} from './batch-job.ts';
export { type BatcherOptions, InferenceTimeoutError, MicroBatcher, paddedSize } from './batcher.ts';
export { decodeContentEncoding, SUPPORTED_ENCODINGS } from './content-encoding.ts';
export { drainHttp, SocketRequests } from './drain.ts';
export { createMetrics, type ServerMetrics } from './metrics.ts';
export { decide, InputValidationError, type Prediction, type ServingModel } from './model.ts';
export { type Replayed, type ReplayRequest, replay } from './replay.ts';
export { type AnswerPath, type CacheOptions, ResponseCache } from './response-cache.ts';
export {
  type RouteRow,
  type RouterEvents,
  type RoutingSource,
  registryRouting,
  VersionRouter,
} from './routing.ts';
export {
  canonicalKey,
  createServer,
  EVENT_TIME_HEADER,
  type ModelServer,
  type PredictReply,
  REQUEST_ID_HEADER,
  ROUTING_KEY_HEADER,
  type ServerOptions,
} from './server.ts';
export { fromLoadedModel, loadServingModel, registryInputSchema } from './tf-adapter.ts';
export { checkBody } from './validation.ts';
export { ShapeLog, type WarmupOptions, warmModel } from './warmup.ts';
