/**
 * The roofline cost of one engine iteration (Q20: per-request cost scales with the context; Q32: why a
 * bigger decode batch is nearly free). One forward pass over a batch reads every weight once from HBM
 * and does 2 FLOPs per parameter per token processed, plus attention over each token's context
 * (Kaplan et al., "Scaling Laws for Neural Language Models", 2020, §2.1: C_forward ≈ 2N + 2 n_layer
 * n_ctx d_model per token; the second term counted for QKᵀ and for ·V, so 4 · layers · d_model per
 * context token). Its time is the larger of compute time and memory time (Williams et al.,
 * "Roofline", CACM 2009), each at an achievable share of the datasheet peak:
 *
 *   t = max(FLOPs / (peak · computeEfficiency), bytes / (bandwidth · bandwidthEfficiency)) + overhead
 *   bytes = weights + KV read (every context token of every sequence) + KV written (new tokens)
 *
 * For LLaMA-13B on an A100-40GB: a decode step at batch 1 moves 26 GB of weights (16.7 ms at peak
 * bandwidth, 20.9 ms at 80%) and does 26 GFLOPs (0.1 ms): memory-bound, so adding sequences costs only
 * their KV reads until the batch nears the ridge point, 312e12 / 1555e9 ≈ 200 FLOPs per byte, i.e. a
 * few hundred tokens per step. A 512-token prefill does 13.4 TFLOPs with attention (86 ms at 50% of peak) and is
 * compute-bound. That asymmetry is what continuous batching (Orca) and chunked prefill (Sarathi-Serve)
 * exploit. The efficiencies and the overhead are stated assumptions, not datasheet figures: 50% of
 * peak FLOPs is typical of large-GEMM model FLOPs utilisation, 80% of peak bandwidth of streaming reads.
 */
import type { GpuSpec, ModelSpec } from './hardware.ts';
import { kvBytesPerToken, weightBytes } from './hardware.ts';

export interface CostParams {
  computeEfficiency: number;
  bandwidthEfficiency: number;
  /** Fixed per-iteration cost (scheduling, kernel launches, sampling), seconds. */
  stepOverhead: number;
}

export const DEFAULT_COST_PARAMS: CostParams = {
  computeEfficiency: 0.5,
  bandwidthEfficiency: 0.8,
  stepOverhead: 1e-3,
};

/** What one iteration processes; the engine accumulates it while it builds the batch. */
export interface StepWork {
  /** Tokens run through the model this step (prompt tokens of prefill chunks + one per decode). */
  tokens: number;
  /** Sum over those tokens of the context each attends to (including itself). */
  attendedTokens: number;
  /** KV tokens read from HBM: the cached context of every sequence in the batch. */
  kvReadTokens: number;
  /** Bytes moved over the host link (swap out + swap in). */
  swapBytes: number;
}

export interface StepCost {
  seconds: number;
  flops: number;
  hbmBytes: number;
  computeSeconds: number;
  memorySeconds: number;
  swapSeconds: number;
}

export class CostModel {
  readonly kvBytesPerToken: number;
  readonly weightBytes: number;
  private readonly flopsPerToken: number;
  private readonly flopsPerAttended: number;
  private readonly flopRate: number;
  private readonly byteRate: number;

  constructor(
    readonly gpu: GpuSpec,
    readonly model: ModelSpec,
    readonly params: CostParams = DEFAULT_COST_PARAMS,
  ) {
    if (!(params.computeEfficiency > 0 && params.computeEfficiency <= 1))
      throw new RangeError(`computeEfficiency ${params.computeEfficiency} must be in (0, 1]`);
    if (!(params.bandwidthEfficiency > 0 && params.bandwidthEfficiency <= 1))
      throw new RangeError(`bandwidthEfficiency ${params.bandwidthEfficiency} must be in (0, 1]`);
    this.kvBytesPerToken = kvBytesPerToken(model);
    this.weightBytes = weightBytes(model);
    this.flopsPerToken = 2 * model.params;
    this.flopsPerAttended = 4 * model.layers * model.hidden;
    this.flopRate = gpu.peakFlops * params.computeEfficiency;
    this.byteRate = gpu.memBandwidth * params.bandwidthEfficiency;
  }

  /** Seconds of one iteration; the hot path of the simulator, so no allocation. */
  stepSeconds(tokens: number, attendedTokens: number, kvReadTokens: number, swapBytes: number): number {
    if (tokens === 0 && swapBytes === 0) return 0;
    const flops = this.flopsPerToken * tokens + this.flopsPerAttended * attendedTokens;
    const bytes = this.weightBytes + (kvReadTokens + tokens) * this.kvBytesPerToken;
    const compute = flops / this.flopRate;
    const memory = bytes / this.byteRate;
    const swap = swapBytes / this.gpu.hostLinkBandwidth;
    return Math.max(compute, memory) + swap + this.params.stepOverhead;
  }

  /** The same arithmetic with every term, for the lab's printout and the hand-computed test. */
  explain(work: StepWork): StepCost {
    const flops = this.flopsPerToken * work.tokens + this.flopsPerAttended * work.attendedTokens;
    const hbmBytes = this.weightBytes + (work.kvReadTokens + work.tokens) * this.kvBytesPerToken;
    return {
      seconds: this.stepSeconds(work.tokens, work.attendedTokens, work.kvReadTokens, work.swapBytes),
      flops,
      hbmBytes,
      computeSeconds: flops / this.flopRate,
      memorySeconds: hbmBytes / this.byteRate,
      swapSeconds: work.swapBytes / this.gpu.hostLinkBandwidth,
    };
  }

  /** Cost of a prefill of `n` prompt tokens alone (attention over 1..n, so n(n+1)/2 attended). */
  prefill(n: number): StepCost {
    return this.explain({ tokens: n, attendedTokens: (n * (n + 1)) / 2, kvReadTokens: 0, swapBytes: 0 });
  }

  /** Cost of one decode step of `batch` sequences holding `contextTokens` cached tokens in total. */
  decode(batch: number, contextTokens: number): StepCost {
    return this.explain({
      tokens: batch,
      attendedTokens: contextTokens + batch,
      kvReadTokens: contextTokens,
      swapBytes: 0,
    });
  }
}
