/**
 * The quantization lab's checks and its fault (Q33). Checks read sizes, scores and counts of the
 * run; latencies are shown, never checked (on a busy 2-core machine a latency ratio is a coin toss,
 * and here there is no speed-up to find: TF.js computes in float32 whatever the file holds).
 */
import type { LabBreak } from '@mlops-lab/labkit';

export const LIMITS = {
  fp16Ratio: 1.99,
  fp16AucDelta: 0.001,
  int8Ratio: 3.9,
  int8AucDelta: 0.005,
  int8Same: 0.99,
  /** Per tensor must stay as close to fp32 as this in mean |Δscore| (healthy runs: ~4e-4). */
  int8TensorMeanDelta: 0.002,
  int4Ratio: 7.5,
  int4AucDelta: 0.01,
  int4Same: 0.98,
} as const;

export const CHECK = {
  fp16: `fp16: weights ${LIMITS.fp16Ratio}x+ smaller, |ΔAUC| <= ${LIMITS.fp16AucDelta}`,
  int8Channel: `int8 per channel: weights ${LIMITS.int8Ratio}x+ smaller, |ΔAUC| <= ${LIMITS.int8AucDelta}, >= 99% same decisions`,
  int8Tensor: `int8 per tensor stays close to fp32: mean |Δscore| <= ${LIMITS.int8TensorMeanDelta}, |ΔAUC| <= ${LIMITS.int8AucDelta}`,
  int4: `int4 grouped: weights ${LIMITS.int4Ratio}x+ smaller, |ΔAUC| <= ${LIMITS.int4AucDelta}, >= 98% same decisions`,
  errorBound: 'every quantized weight is within scale / 2 of its fp32 value',
  registry: 'each scheme is its own registry version, its scheme in the metadata, hash-checked at load',
  fp32Compute: 'dequantized at load: TF.js holds the same float32 bytes for every scheme',
  served: 'the model server serves a quantized version: each reply is that version’s own score',
  memory: 'the memory plan gives 140 / 70 / 35 GB for 70B weights and 320 KiB of KV per token',
} as const;

export const BREAKS: LabBreak[] = [
  {
    name: 'per-tensor-outlier',
    symptom:
      'int8 per tensor now moves the payments scores ~30x more than before and changes decisions; per channel does not',
    hint: 'in the weights table, compare the per-tensor int8 step with a typical weight, and which channel sets that step',
    explanation:
      'One hidden unit of the payments model was rescaled: its incoming weights and bias multiplied by c, ' +
      'its outgoing weight divided by c, so its largest weight sits at 100σ of the kernel as trained. ReLU is ' +
      'positively homogeneous, so the fp32 model scores exactly as before. But int8 with one scale per ' +
      'tensor must now cover ±100σ with 255 levels: the step grows from about 0.02σ to 0.8σ, and every ' +
      'ordinary weight is rounded by up to 0.4σ of noise. One scale per output channel confines the ' +
      'outlier to its own channel, whose weights are all large together, so per channel (and int4 with ' +
      'groups inside a channel) loses almost nothing. This is the reason LLM.int8() gives for per-tensor ' +
      'int8 failing on models past ~6.7B parameters (systematic outlier features), and why GPTQ / AWQ ' +
      'checkpoints use per-channel or per-group scales (Q33).',
    flips: [CHECK.int8Tensor],
  },
];
