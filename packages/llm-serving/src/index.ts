/**
 * @mlops-lab/llm-serving: a token-level simulator of LLM serving (Q20, Q32): workload, roofline cost
 * model, paged KV blocks, static / continuous batching, preemption, chunked prefill, metrics, streaming;
 * and the memory plan of a model across GPUs by weight format (memory-plan.ts, Q33).
 */
export { BlockAllocator, BlockAllocatorError } from './block-allocator.ts';
export {
  CostModel,
  type CostParams,
  DEFAULT_COST_PARAMS,
  type StepCost,
  type StepWork,
} from './cost-model.ts';
export { type RunResult, type RunStats, simulate } from './engine.ts';
export {
  type Batching,
  type EngineConfig,
  EngineConfigError,
  type KvPolicy,
  type Preemption,
} from './engine-config.ts';
export {
  A100_40GB,
  DEFAULT_MEMORY_PLAN,
  type GpuSpec,
  type KvBudget,
  kvBudget,
  kvBytesPerToken,
  LLAMA_13B,
  LLAMA2_70B,
  type MemoryPlan,
  type ModelSpec,
  weightBytes,
} from './hardware.ts';
export {
  A100_80GB,
  kvBytesPerRequest,
  type MemoryNeed,
  type MemoryQuestion,
  memoryNeed,
  WEIGHT_BITS,
  type WeightFormat,
  weightBytesAt,
} from './memory-plan.ts';
export { type RunSummary, type Slo, summarize, tpotOf } from './metrics.ts';
export type { Outcome, RequestRecord } from './sequence.ts';
export { parseSseData, startTokenStream, type TokenEvent, type TokenStreamServer } from './stream.ts';
export {
  drawLengths,
  generateWorkload,
  type LengthDistribution,
  type Request,
  SHAREGPT,
  type WorkloadOptions,
} from './workload.ts';
