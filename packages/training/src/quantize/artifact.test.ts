/**
 * Each scheme through the registry against real Postgres (DATABASE_URL when set, else embedded
 * PGlite): quantize a registered fp32 version into its own version, load it back by reference (hash
 * verified, weights dequantized, TF.js model rebuilt) and compare its scores with fp32; then change
 * one byte of the stored quantized weights and see the load refused as tampered.
 */
import { chmod, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getVersion, loadArtifact, RegistryError } from '@mlops-lab/registry';
import { testServices } from '@mlops-lab/services/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadModel, type TrainResult, trainAndRegister } from '../tf-model.ts';
import { quantizeArtifact, weightsOf } from './artifact.ts';
import { registerQuantized } from './register.ts';

const services = testServices({ needs: ['postgres'], namespace: 'quantize-test' });
let root: string;
let fp32: TrainResult;
let rows: number[][];
let reference: Float32Array;
const quiet = () => {};

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'quant-artifacts-'));
  fp32 = await trainAndRegister({
    services,
    name: 'fraud-q',
    seed: 5,
    size: 1200,
    epochs: 2,
    artifactsRoot: root,
    log: quiet,
  });
  const m = await loadModel(services, 'fraud-q@1', { artifactsRoot: root, log: quiet });
  rows = Array.from({ length: 64 }, (_, i) => m.preprocess(m.sampleInput(i)));
  reference = await m.predict(rows);
  m.dispose();
});

// Largest |score - fp32 score| each scheme is allowed on this model (probabilities in [0, 1]).
const SCHEMES: [string, number][] = [
  ['fp16', 1e-3],
  ['int8-tensor-sym', 0.02],
  ['int8-tensor-asym', 0.02],
  ['int8-channel-sym', 0.02],
  ['int8-channel-asym', 0.02],
  ['int4-g16-sym', 0.15],
  ['int4-g16-asym', 0.15],
];

describe('a quantized version round-trips through the registry', () => {
  it.each(SCHEMES)(
    '%s: own version, scheme in the metadata, scores near fp32, tampering refused',
    async (scheme, tol) => {
      const q = await registerQuantized(services, { from: 'fraud-q@1', scheme, artifactsRoot: root });
      expect(q.version).toBeGreaterThan(1);
      expect(q.reused).toBe(false);
      const mv = await getVersion(services.pg, 'fraud-q', q.version);
      expect(mv.hash).toBe(q.hash);
      expect(mv.dataRef).toContain(`weights ${scheme} from fraud-q@1`);

      const m = await loadModel(services, `fraud-q@${q.version}`, { artifactsRoot: root, log: quiet });
      expect((m.metadata.quantization as { scheme: string }).scheme).toBe(scheme);
      const scores = await m.predict(rows);
      m.dispose();
      const worst = Math.max(...scores.map((s, i) => Math.abs(s - reference[i])));
      expect(worst).toBeLessThanOrEqual(tol);

      const file = join(root, q.hash, 'weights.quant.bin');
      const bytes = new Uint8Array(await readFile(file));
      bytes[0] ^= 0x01;
      await chmod(file, 0o644);
      await writeFile(file, bytes);
      const error = await loadModel(services, `fraud-q@${q.version}`, {
        artifactsRoot: root,
        log: quiet,
      }).catch((e) => e);
      expect(error).toBeInstanceOf(RegistryError);
      expect((error as RegistryError).code).toBe('tampered');
    },
  );

  it('keeps model.json byte for byte, drops weights.bin, and dequantizes to the float32 layout', async () => {
    const files = await loadArtifact(fp32.hash, { root });
    const q = quantizeArtifact(files, 'int8-channel-sym');
    expect(q.files['model.json']).toEqual(files['model.json']);
    expect(q.files['weights.bin']).toBeUndefined();
    expect(weightsOf(q.files, 'q').byteLength).toBe(files['weights.bin'].byteLength);
    // The hidden kernel is quantized; the 8-weight output kernel and the biases stay float32.
    expect(q.report.map((t) => t.stored)).toEqual(['int8-channel-sym', 'float32', 'float32', 'float32']);
    expect(q.report[0].maxErrorOverHalfScale).toBeLessThanOrEqual(1);
  });

  it('refuses an artifact that is already quantized, and a quantized one with weights in the wrong order', async () => {
    const files = await loadArtifact(fp32.hash, { root });
    const q = quantizeArtifact(files, 'fp16');
    expect(() => quantizeArtifact(q.files, 'fp16')).toThrow(/already quantized/);
    const manifest = JSON.parse(new TextDecoder().decode(q.files['quantization.json']));
    manifest.tensors.reverse();
    const swapped = { ...q.files, 'quantization.json': new TextEncoder().encode(JSON.stringify(manifest)) };
    expect(() => weightsOf(swapped, 'fraud-q@x')).toThrow(/does not list model.json's weights in order/);
  });
});
