/**
 * The llm-serving lab's scenario: LLaMA-13B on one A100-40GB, the engine configurations compared
 * (each named after the system whose policy it follows), the deployed engine and how each fault
 * changes it, and the workloads. The simulator itself is packages/llm-serving.
 */
import {
  A100_40GB,
  CostModel,
  DEFAULT_MEMORY_PLAN,
  type EngineConfig,
  kvBudget,
  type LengthDistribution,
  LLAMA_13B,
  type Request,
  SHAREGPT,
  type Slo,
} from '@mlops-lab/llm-serving';

export const GPU = A100_40GB;
export const MODEL = LLAMA_13B;
export const COST = new CostModel(GPU, MODEL);
export const BUDGET = kvBudget(GPU, MODEL);

/** Interactive chat SLO: first token within 2 s, then at most 100 ms per token (10 tokens/s, faster than reading). */
export const SLO: Slo = { ttft: 2, tpot: 0.1 };

/** vLLM's defaults: 256 sequences, 2,048 prompt tokens per prefill iteration, blocks of 16. */
const BASE = {
  maxBatch: 256,
  maxBatchedTokens: 2048,
  gpuBlocks: BUDGET.gpuBlocks,
  cpuBlocks: BUDGET.cpuBlocks,
  blockSize: DEFAULT_MEMORY_PLAN.blockSize,
} as const;

/** Sarathi-Serve's token budget per iteration (its paper uses 256 to 2,048; smaller favours TPOT). */
export const CHUNK = 256;

/**
 * The five engines, named after the system whose policy each follows: request-level batches with a
 * max-length reservation (FasterTransformer-style servers), Orca, vLLM, vLLM with swap, Sarathi-Serve.
 */
export const CONFIGS: { label: string; config: EngineConfig }[] = [
  {
    label: 'static, reserve',
    config: { ...BASE, batching: 'static', kv: 'reserve', preemption: 'recompute' },
  },
  {
    label: 'Orca: cont., reserve',
    config: { ...BASE, batching: 'continuous', kv: 'reserve', preemption: 'recompute' },
  },
  {
    label: 'vLLM: paged, recompute',
    config: { ...BASE, batching: 'continuous', kv: 'paged', preemption: 'recompute' },
  },
  {
    label: 'paged, swap',
    config: { ...BASE, batching: 'continuous', kv: 'paged', preemption: 'swap' },
  },
  {
    label: 'Sarathi: chunked 256',
    config: { ...BASE, batching: 'continuous', kv: 'paged', preemption: 'recompute', chunkedPrefill: CHUNK },
  },
];

/**
 * The engine the lab deploys: vLLM's policy. Faults are settings of it. kv-oversubscribe sizes the pool
 * from utilization · HBM without subtracting weights and activations; HBM still holds only BUDGET.gpuBlocks.
 */
export function deployedEngine(fault: string | null): EngineConfig {
  const config: EngineConfig = { ...BASE, batching: 'continuous', kv: 'paged', preemption: 'recompute' };
  if (fault === 'kv-oversubscribe') {
    config.gpuBlocks = Math.floor((DEFAULT_MEMORY_PLAN.utilization * GPU.hbmBytes) / BUDGET.bytesPerBlock);
    config.physicalBlocks = BUDGET.gpuBlocks;
  }
  if (fault === 'no-preemption') config.preemption = 'none';
  if (fault === 'head-of-line') config.batching = 'static';
  return config;
}

/** Long prompts (summarisation-like: ~700 in, ~150 out) for the chunked-prefill comparison. */
export const LONG_PROMPTS: LengthDistribution = {
  ...SHAREGPT,
  promptMean: 700,
  promptSigma: 0.4,
  outputMean: 150,
  outputSigma: 0.6,
};

/** Short chat turns for the head-of-line scenario. */
export const SHORT_TURNS: LengthDistribution = {
  ...SHAREGPT,
  promptMean: 80,
  promptSigma: 0.5,
  outputMean: 60,
  outputSigma: 0.5,
};

/** The one long generation of the head-of-line scenario: a 400-token prompt, 1,500 tokens out. */
export function withLongRequest(requests: Request[], at: number): Request[] {
  const long: Request = { id: requests.length, arrival: at, promptTokens: 400, outputTokens: 1500 };
  return [...requests, long].sort((a, b) => a.arrival - b.arrival || a.id - b.id);
}
