/**
 * The accelerator and the model the simulator serves (Q20: GPU memory, not CPU, is the bottleneck of
 * LLM serving), written out from published figures so every derived constant can be checked by hand.
 *
 * KV cache bytes per token = 2 (K and V) · layers · kv_heads · head_dim · bytes per element: each layer
 * keeps one key and one value vector per KV head for every token in the context. For LLaMA-13B in fp16
 * that is 2 · 40 · 40 · 128 · 2 = 819,200 bytes = 800 KiB, so a 2,048-token sequence holds 1.68 GB,
 * the figure of the vLLM paper (Kwon et al., "Efficient Memory Management for Large Language Model
 * Serving with PagedAttention", SOSP'23, §3: "up to 1.7 GB"). Llama-2-70B uses grouped-query attention
 * (8 KV heads of 64 query heads), so 2 · 80 · 8 · 128 · 2 = 320 KiB per token.
 *
 * The KV pool is what HBM leaves after the weights and the activation workspace, cut into blocks of
 * `blockSize` tokens; this is how vLLM sizes its cache (profile the peak activation memory, then
 * gpu_memory_utilization · total − weights − activations, divided by the block size in bytes).
 */

export interface GpuSpec {
  name: string;
  /** Dense fp16/bf16 tensor-core peak, FLOP/s. */
  peakFlops: number;
  /** HBM bandwidth, bytes/s. */
  memBandwidth: number;
  /** HBM capacity, bytes. */
  hbmBytes: number;
  /** Host link bandwidth per direction, bytes/s (swap traffic). */
  hostLinkBandwidth: number;
}

export interface ModelSpec {
  name: string;
  /** Parameter count. */
  params: number;
  layers: number;
  /** Hidden size (d_model): attention FLOPs scale with it. */
  hidden: number;
  /** Key/value heads (fewer than query heads under grouped-query attention). */
  kvHeads: number;
  headDim: number;
  /** Bytes per weight and per KV element (2 for fp16 / bf16). */
  dtypeBytes: number;
  /** Longest sequence (prompt + output) the model accepts. */
  maxSeqLen: number;
}

/**
 * NVIDIA A100 40GB SXM4, from NVIDIA's A100 datasheet: 312 TFLOPS dense FP16/BF16 tensor core,
 * 1,555 GB/s HBM2, 40 GB (40 GiB of device memory as the driver reports it); PCIe Gen4 x16 host link,
 * 64 GB/s bidirectional, so 32 GB/s each way. The GPU of the vLLM paper's LLaMA-13B experiments.
 */
export const A100_40GB: GpuSpec = {
  name: 'A100-SXM4-40GB',
  peakFlops: 312e12,
  memBandwidth: 1555e9,
  hbmBytes: 40 * 2 ** 30,
  hostLinkBandwidth: 32e9,
};

/**
 * LLaMA-13B (Touvron et al., "LLaMA: Open and Efficient Foundation Language Models", 2023, Table 2):
 * 40 layers, 40 heads, d_model 5,120 (head dim 128), 13.0B parameters, context 2,048 tokens.
 */
export const LLAMA_13B: ModelSpec = {
  name: 'LLaMA-13B',
  params: 13.0e9,
  layers: 40,
  hidden: 5120,
  kvHeads: 40,
  headDim: 128,
  dtypeBytes: 2,
  maxSeqLen: 2048,
};

/** Llama-2-70B (Touvron et al., "Llama 2", 2023): 80 layers, d_model 8,192, 8 KV heads of dim 128 (GQA). */
export const LLAMA2_70B: ModelSpec = {
  name: 'Llama-2-70B',
  params: 70e9,
  layers: 80,
  hidden: 8192,
  kvHeads: 8,
  headDim: 128,
  dtypeBytes: 2,
  maxSeqLen: 4096,
};

/** KV cache bytes one token occupies: 2 · layers · kv_heads · head_dim · bytes. */
export function kvBytesPerToken(m: ModelSpec): number {
  return 2 * m.layers * m.kvHeads * m.headDim * m.dtypeBytes;
}

export function weightBytes(m: ModelSpec): number {
  return m.params * m.dtypeBytes;
}

export interface MemoryPlan {
  /** Share of HBM the engine may use (vLLM's gpu_memory_utilization, default 0.9). */
  utilization: number;
  /** Activation workspace measured at the largest batch, bytes (vLLM profiles it; here a stated figure). */
  activationBytes: number;
  /** Tokens per KV block (vLLM's default block size is 16). */
  blockSize: number;
  /** CPU swap space, bytes (vLLM's default swap_space is 4 GiB). */
  swapBytes: number;
}

export const DEFAULT_MEMORY_PLAN: MemoryPlan = {
  utilization: 0.9,
  activationBytes: 2 * 2 ** 30,
  blockSize: 16,
  swapBytes: 4 * 2 ** 30,
};

export interface KvBudget {
  bytesPerToken: number;
  bytesPerBlock: number;
  /** HBM the KV cache may use: utilization · HBM − weights − activations. */
  kvBytes: number;
  gpuBlocks: number;
  cpuBlocks: number;
  /** HBM bytes in use before any KV block: weights + activations. */
  fixedBytes: number;
}

/** Sizes the KV pool; throws when the weights and activations leave no room for one block. */
export function kvBudget(gpu: GpuSpec, model: ModelSpec, plan: MemoryPlan = DEFAULT_MEMORY_PLAN): KvBudget {
  if (!(plan.utilization > 0 && plan.utilization <= 1))
    throw new RangeError(`memory utilization ${plan.utilization} must be in (0, 1]`);
  if (!Number.isInteger(plan.blockSize) || plan.blockSize < 1)
    throw new RangeError(`block size ${plan.blockSize} must be a positive integer`);
  const bytesPerToken = kvBytesPerToken(model);
  const bytesPerBlock = bytesPerToken * plan.blockSize;
  const fixedBytes = weightBytes(model) + plan.activationBytes;
  const kvBytes = plan.utilization * gpu.hbmBytes - fixedBytes;
  const gpuBlocks = Math.floor(kvBytes / bytesPerBlock);
  if (gpuBlocks < 1)
    throw new RangeError(
      `${model.name} on ${gpu.name}: weights + activations (${(fixedBytes / 1e9).toFixed(1)} GB) leave no room for a KV block`,
    );
  return {
    bytesPerToken,
    bytesPerBlock,
    kvBytes,
    gpuBlocks,
    cpuBlocks: Math.floor(plan.swapBytes / bytesPerBlock),
    fixedBytes,
  };
}
