/**
 * What the quantization lab measures for every version of a model, fp32 and quantized, in one run
 * and interleaved (a, b, c, b, c, a, ...) so a busy machine slows them alike (Q33): bytes on disk
 * (the artifact folder, and its weights file alone), load time through the registry (resolve, read
 * and hash check, dequantize, TF.js rebuild; the median of several), the dequantize step alone,
 * what TF.js holds in memory once loaded (tf.memory().numBytes), inference latency at batch 1 and 64
 * (medians), and the scores on the holdout that quality is judged from.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { quantile } from '@mlops-lab/evaluation';
import { loadArtifact } from '@mlops-lab/registry';
import { type TensorReport, type TfHandle, weightsOf } from '@mlops-lab/training';

export interface Servable {
  predict(rows: number[][]): Promise<Float32Array>;
  dispose(): void;
}

export interface Version {
  /** `fp32` or a scheme name. */
  label: string;
  ref: string;
  hash: string;
  /** Per-tensor quantization report (null for fp32). */
  report: TensorReport[] | null;
}

export interface Measured extends Version {
  diskBytes: number;
  weightFileBytes: number;
  loadMs: number;
  dequantizeMs: number;
  tfBytes: number;
  b1Ms: number;
  b64Ms: number;
  scores: Float32Array;
}

const median = (xs: number[]) => quantile(xs, 0.5);

async function folderBytes(dir: string): Promise<{ total: number; weights: number }> {
  let total = 0;
  let weights = 0;
  for (const name of await readdir(dir)) {
    const { size } = await stat(join(dir, name));
    total += size;
    if (name.startsWith('weights.')) weights += size;
  }
  return { total, weights };
}

async function timeIt(fn: () => Promise<unknown> | unknown): Promise<number> {
  const t = performance.now();
  await fn();
  return performance.now() - t;
}

/** The label of the control: the fp32 version loaded and timed a second time, as if it were one more. */
export const CONTROL = 'fp32 again';

/**
 * Measures `versions` (fp32 first) and a control, a second copy of the fp32 version measured like the
 * others: the spread between two identical models is the noise floor of every timing in the run (on
 * a shared machine it is easily 10-30%; which model was loaded first alone moves wasm latency).
 */
export async function measureVersions(
  handle: TfHandle,
  versions: Version[],
  load: (ref: string) => Promise<Servable>,
  rows: number[][],
  options: { loads: number; rounds: number; artifactsRoot: string },
): Promise<{ measured: Measured[]; control: Measured }> {
  const all = await measureAll(
    handle,
    [...versions, { ...versions[0], label: CONTROL }],
    load,
    rows,
    options,
  );
  return { measured: all.slice(0, -1), control: all[all.length - 1] };
}

async function measureAll(
  { tf }: TfHandle,
  versions: Version[],
  load: (ref: string) => Promise<Servable>,
  rows: number[][],
  options: { loads: number; rounds: number; artifactsRoot: string },
): Promise<Measured[]> {
  const loadMs = versions.map(() => [] as number[]);
  const dequantizeMs = versions.map(() => [] as number[]);
  const tfBytes = versions.map(() => 0);
  const models: Servable[] = [];
  for (let l = 0; l < options.loads; l++) {
    for (const [i, v] of versions.entries()) {
      const before = tf.memory().numBytes;
      let m: Servable | undefined;
      loadMs[i].push(
        await timeIt(async () => {
          m = await load(v.ref);
        }),
      );
      if (l === 0) tfBytes[i] = tf.memory().numBytes - before;
      if (l === options.loads - 1) models[i] = m as Servable;
      else m?.dispose();
      const files = await loadArtifact(v.hash, { root: options.artifactsRoot });
      dequantizeMs[i].push(await timeIt(() => weightsOf(files, v.ref)));
    }
  }
  const one = rows.slice(0, 1);
  const batch = rows.slice(0, 64);
  for (const m of models) for (let w = 0; w < 2; w++) await Promise.all([m.predict(one), m.predict(batch)]);
  const b1 = versions.map(() => [] as number[]);
  const b64 = versions.map(() => [] as number[]);
  for (let r = 0; r < options.rounds; r++) {
    // Each round starts one version later, so no version is always the one timed after a pause.
    for (let k = 0; k < models.length; k++) {
      const i = (k + r) % models.length;
      b1[i].push(await timeIt(() => models[i].predict(one)));
      b64[i].push(await timeIt(() => models[i].predict(batch)));
    }
  }
  const out: Measured[] = [];
  for (const [i, v] of versions.entries()) {
    const bytes = await folderBytes(join(options.artifactsRoot, v.hash));
    out.push({
      ...v,
      diskBytes: bytes.total,
      weightFileBytes: bytes.weights,
      loadMs: median(loadMs[i]),
      dequantizeMs: median(dequantizeMs[i]),
      tfBytes: tfBytes[i],
      b1Ms: median(b1[i]),
      b64Ms: median(b64[i]),
      scores: await models[i].predict(rows),
    });
    models[i].dispose();
  }
  return out;
}
