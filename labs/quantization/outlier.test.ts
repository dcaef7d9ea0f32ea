/**
 * The per-tensor-outlier fault is an equivalent rescaling: on a payments-shaped TF.js model (layers
 * `hidden` and `score`, as trainAndRegister names them) the rescaled artifact scores the same rows as
 * the original within float rounding, its channel's largest weight sits at 100σ, and only per-tensor
 * int8 is hurt by it.
 */
import { mulberry32 } from '@mlops-lab/datagen';
import {
  fp32Weights,
  layersModelFromFiles,
  loadTf,
  predictRows,
  quantizeArtifact,
  toFiles,
} from '@mlops-lab/training';
import { describe, expect, it } from 'vitest';
import { withOutlierChannel } from './outlier.ts';

const enc = new TextEncoder();

async function paymentsShaped() {
  const { tf } = await loadTf({ log: () => {} });
  const model = tf.sequential({ name: 'payments_fraud' });
  model.add(
    tf.layers.dense({
      name: 'hidden',
      inputShape: [18],
      units: 8,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }),
      biasInitializer: tf.initializers.randomNormal({ seed: 4, stddev: 0.1 }),
    }),
  );
  model.add(
    tf.layers.dense({
      name: 'score',
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }),
    }),
  );
  const files = { ...(await toFiles(tf, model)), 'metadata.json': enc.encode('{}') };
  model.dispose();
  return { tf, files };
}

const rnd = mulberry32(7);
const rows = Array.from({ length: 256 }, () => Array.from({ length: 18 }, () => rnd() * 4 - 2));

async function scores(files: Record<string, Uint8Array>): Promise<Float32Array> {
  const { tf } = await loadTf({ log: () => {} });
  const m = await layersModelFromFiles(tf, files, 'test');
  try {
    return await predictRows(tf, m, rows);
  } finally {
    m.dispose();
  }
}

const meanAbs = (a: Float32Array, b: Float32Array) =>
  a.reduce((s, x, i) => s + Math.abs(x - b[i]), 0) / a.length;

describe('withOutlierChannel', () => {
  it('keeps the fp32 scores, puts the channel at 100σ, and hurts only per-tensor int8', async () => {
    const { files } = await paymentsShaped();
    const changed = withOutlierChannel(files, 100, 2);
    const before = await scores(files);
    const after = await scores(changed.files);
    for (let i = 0; i < rows.length; i++) expect(Math.abs(after[i] - before[i])).toBeLessThan(1e-5);

    // σ of the kernel as trained: the outlier is 100 of those.
    const trained = fp32Weights(files)[0].values;
    const mean = trained.reduce((a, b) => a + b, 0) / trained.length;
    const sigma = Math.sqrt(trained.reduce((a, b) => a + (b - mean) ** 2, 0) / trained.length);
    const kernel = fp32Weights(changed.files)[0].values;
    const colMax = Math.max(...Array.from({ length: 18 }, (_, r) => Math.abs(kernel[r * 8 + 2])));
    expect(colMax / sigma).toBeCloseTo(100, 0);

    const perTensor = meanAbs(await scores(quantizeArtifact(changed.files, 'int8-tensor-sym').files), after);
    const perChannel = meanAbs(
      await scores(quantizeArtifact(changed.files, 'int8-channel-sym').files),
      after,
    );
    expect(perTensor).toBeGreaterThan(5 * perChannel);
  });

  it('refuses an artifact without the payments layers', async () => {
    const { tf } = await loadTf({ log: () => {} });
    const model = tf.sequential({ name: 'other' });
    model.add(tf.layers.dense({ name: 'dense_a', inputShape: [4], units: 2 }));
    const files = { ...(await toFiles(tf, model)), 'metadata.json': enc.encode('{}') };
    model.dispose();
    expect(() => withOutlierChannel(files)).toThrow(/has no weight hidden\/kernel/);
  });
});
