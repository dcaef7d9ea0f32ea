/**
 * How much GPU memory a model needs and on how many GPUs it fits (Q33: serving a 70B model), from
 * the formulas, not from prose. Weights: parameters · bits per weight / 8, so Llama-2-70B is 140 GB
 * in fp16, 70 GB in int8, 35 GB in int4 (plus the group scales when they are counted: int4 with an
 * fp16 scale per 128 weights is 4.125 bits, 36.1 GB). KV cache: `kvBytesPerToken` of hardware.ts
 * (2 · layers · kv_heads · head_dim · bytes, 320 KiB per token for Llama-2-70B in fp16) times the
 * context and the batch; weight-only quantization leaves it as it is. GPUs: the weights and the KV
 * cache are sharded over the GPUs (tensor parallelism splits both by attention head), and each GPU
 * also keeps the engine's headroom and activation workspace (hardware.ts `MemoryPlan`, as vLLM sizes
 * its cache), so n = ceil((weights + KV) / (utilization · HBM - activations)). Tensor parallelism
 * needs a degree that divides the attention heads (64 for Llama-2-70B), so 3 GPUs' worth runs on 4.
 * Reference: vLLM's memory profiling (gpu_memory_utilization); Megatron-LM tensor parallelism
 * (Shoeybi et al. 2019, heads split across GPUs); GPTQ / AWQ int4 checkpoints (fp16 scales per group).
 */
import {
  A100_40GB,
  DEFAULT_MEMORY_PLAN,
  type GpuSpec,
  kvBytesPerToken,
  type MemoryPlan,
  type ModelSpec,
} from './hardware.ts';

/**
 * NVIDIA A100 80GB SXM4 (A100 datasheet): the 40GB part's compute with 80 GB of HBM2e at 2,039 GB/s.
 * The memory size a 70B model is usually planned against.
 */
export const A100_80GB: GpuSpec = {
  ...A100_40GB,
  name: 'A100-SXM4-80GB',
  memBandwidth: 2039e9,
  hbmBytes: 80 * 2 ** 30,
};

/** Bits per weight of the common formats; `int4-g128` counts its fp16 scale per 128 weights. */
export const WEIGHT_BITS = { fp16: 16, int8: 8, int4: 4, 'int4-g128': 4 + 16 / 128 } as const;

export type WeightFormat = keyof typeof WEIGHT_BITS;

export function weightBytesAt(model: ModelSpec, bitsPerWeight: number): number {
  if (!(bitsPerWeight > 0 && bitsPerWeight <= 32))
    throw new RangeError(`bits per weight ${bitsPerWeight} must be in (0, 32]`);
  return (model.params * bitsPerWeight) / 8;
}

/** KV bytes one request holds at `contextTokens` (prompt + output so far); `kvBytes` per element. */
export function kvBytesPerRequest(
  model: ModelSpec,
  contextTokens: number,
  kvBytes = model.dtypeBytes,
): number {
  if (!(Number.isSafeInteger(contextTokens) && contextTokens >= 1 && contextTokens <= model.maxSeqLen))
    throw new RangeError(
      `context ${contextTokens} must be an integer in 1..${model.maxSeqLen} for ${model.name}`,
    );
  return kvBytesPerToken({ ...model, dtypeBytes: kvBytes }) * contextTokens;
}

export interface MemoryNeed {
  weightBytes: number;
  /** KV of `batch` requests at `contextTokens` each. */
  kvBytes: number;
  totalBytes: number;
  /** What one GPU offers the weights and KV: utilization · HBM - activation workspace. */
  usablePerGpu: number;
  /** ceil(total / usable per GPU). */
  gpus: number;
  /** The smallest tensor-parallel degree >= gpus that divides the attention heads; null if none. */
  tensorParallel: number | null;
}

export interface MemoryQuestion {
  bitsPerWeight: number;
  contextTokens: number;
  batch: number;
  /** Bytes per KV element (default the model's, 2 for fp16). */
  kvBytes?: number;
  plan?: MemoryPlan;
}

export function memoryNeed(gpu: GpuSpec, model: ModelSpec, q: MemoryQuestion): MemoryNeed {
  if (!(Number.isSafeInteger(q.batch) && q.batch >= 1))
    throw new RangeError(`batch ${q.batch} must be an integer >= 1`);
  const plan = q.plan ?? DEFAULT_MEMORY_PLAN;
  const weightBytes = weightBytesAt(model, q.bitsPerWeight);
  const kvBytes = kvBytesPerRequest(model, q.contextTokens, q.kvBytes) * q.batch;
  const totalBytes = weightBytes + kvBytes;
  const usablePerGpu = plan.utilization * gpu.hbmBytes - plan.activationBytes;
  if (!(usablePerGpu > 0))
    throw new RangeError(
      `${gpu.name}: the activation workspace leaves no memory at utilization ${plan.utilization}`,
    );
  const gpus = Math.ceil(totalBytes / usablePerGpu);
  const heads = model.hidden / model.headDim;
  let tensorParallel: number | null = null;
  for (let d = gpus; d <= heads; d++)
    if (heads % d === 0) {
      tensorParallel = d;
      break;
    }
  return { weightBytes, kvBytes, totalBytes, usablePerGpu, gpus, tensorParallel };
}
