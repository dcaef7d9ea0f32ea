/**
 * The 70B memory table of the quantization lab (Q33), every cell from the formulas of
 * @mlops-lab/llm-serving (memory-plan.ts, hardware.ts): weights per format, the KV cache of a batch
 * of requests at a context length, and the GPUs each total needs on 40 GB and 80 GB A100s.
 */
import {
  A100_40GB,
  A100_80GB,
  kvBytesPerRequest,
  kvBytesPerToken,
  LLAMA2_70B,
  memoryNeed,
  WEIGHT_BITS,
  type WeightFormat,
  weightBytesAt,
} from '@mlops-lab/llm-serving';

export const CONTEXT = 4096;
export const BATCH = 8;

const gb = (b: number) => `${(b / 1e9).toFixed(1)} GB`;

export function memoryTable(): { headers: string[]; rows: string[][]; facts: Record<string, number> } {
  const rows = (Object.keys(WEIGHT_BITS) as WeightFormat[]).map((f) => {
    const q = { bitsPerWeight: WEIGHT_BITS[f], contextTokens: CONTEXT, batch: BATCH };
    const a40 = memoryNeed(A100_40GB, LLAMA2_70B, q);
    const a80 = memoryNeed(A100_80GB, LLAMA2_70B, q);
    const gpus = (n: typeof a40) => `${n.gpus} (TP ${n.tensorParallel ?? '-'})`;
    return [
      f,
      String(WEIGHT_BITS[f]),
      gb(a40.weightBytes),
      gb(a40.kvBytes),
      gb(a40.totalBytes),
      gpus(a40),
      gpus(a80),
    ];
  });
  return {
    headers: [
      'weights',
      'bits / weight',
      'weights',
      `KV, ${BATCH} x ${CONTEXT} tokens`,
      'total',
      `${A100_40GB.name} GPUs`,
      `${A100_80GB.name} GPUs`,
    ],
    rows,
    facts: {
      fp16WeightBytes: weightBytesAt(LLAMA2_70B, WEIGHT_BITS.fp16),
      int8WeightBytes: weightBytesAt(LLAMA2_70B, WEIGHT_BITS.int8),
      int4WeightBytes: weightBytesAt(LLAMA2_70B, WEIGHT_BITS.int4),
      kvBytesPerToken: kvBytesPerToken(LLAMA2_70B),
      kvBytesPerRequest: kvBytesPerRequest(LLAMA2_70B, CONTEXT),
    },
  };
}
