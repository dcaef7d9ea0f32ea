/**
 * The `per-tensor-outlier` fault (Q33): one output channel of the payments model's hidden kernel made
 * an outlier, the way LLM.int8() describes outlier features, at toy scale. Hidden unit j's incoming
 * weights and bias are multiplied by c and its outgoing weight divided by c; ReLU is positively
 * homogeneous (relu(c·z) = c·relu(z) for c > 0), so the fp32 model computes the same scores (up to
 * float rounding), and c is chosen so the channel's largest weight sits at 100σ of the kernel's
 * weights. Nothing about the model is wrong; only a quantizer with one scale per tensor now spends
 * its 255 levels on that channel's range (step ~0.8σ instead of ~0.02σ), and per-channel scales do
 * not care. Reference: Dettmers et al. 2022 (LLM.int8(), outlier features); SmoothQuant (Xiao et al.
 * 2023) uses the same kind of equivalent rescaling, in the other direction, to remove outliers.
 */
const enc = new TextEncoder();
const dec = new TextDecoder();

interface Spec {
  name: string;
  shape: number[];
}

export interface OutlierChange {
  files: Record<string, Uint8Array>;
  channel: number;
  factor: number;
  /** The channel's largest |weight| over the kernel's standard deviation, after the change. */
  sigmas: number;
}

/** The payments artifact with hidden unit `channel` rescaled so its largest weight is `sigmas` σ. */
export function withOutlierChannel(
  files: Record<string, Uint8Array>,
  sigmas = 100,
  channel = 0,
): OutlierChange {
  const { weightSpecs } = JSON.parse(dec.decode(files['model.json'])) as { weightSpecs: Spec[] };
  const weights = new Float32Array(files['weights.bin'].slice().buffer);
  const at: Record<string, { offset: number; spec: Spec }> = {};
  let offset = 0;
  for (const spec of weightSpecs) {
    at[spec.name] = { offset, spec };
    offset += spec.shape.reduce((a, b) => a * b, 1);
  }
  const need = (name: string) => {
    const hit = at[name];
    if (!hit)
      throw new Error(`the payments artifact has no weight ${name} (has ${Object.keys(at).join(', ')})`);
    return hit;
  };
  const kernel = need('hidden/kernel');
  const bias = need('hidden/bias');
  const out = need('score/kernel');
  const [rows, cols] = kernel.spec.shape;
  const k = weights.subarray(kernel.offset, kernel.offset + rows * cols);
  const mean = k.reduce((a, b) => a + b, 0) / k.length;
  const sigma = Math.sqrt(k.reduce((a, b) => a + (b - mean) ** 2, 0) / k.length);
  let colMax = 0;
  for (let r = 0; r < rows; r++) colMax = Math.max(colMax, Math.abs(k[r * cols + channel]));
  const factor = (sigmas * sigma) / colMax;
  for (let r = 0; r < rows; r++) k[r * cols + channel] *= factor;
  weights[bias.offset + channel] *= factor;
  weights[out.offset + channel] /= factor; // score/kernel is [units, 1]: row `channel`
  const metadata = JSON.parse(dec.decode(files['metadata.json']));
  return {
    files: {
      ...files,
      'weights.bin': new Uint8Array(weights.buffer),
      'metadata.json': enc.encode(
        JSON.stringify({ ...metadata, outlierChannel: { channel, factor, sigmas } }),
      ),
    },
    channel,
    factor,
    sigmas,
  };
}
