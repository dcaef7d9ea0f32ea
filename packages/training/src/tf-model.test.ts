/**
 * TF.js training end to end against real Postgres (DATABASE_URL when set, else embedded PGlite):
 * backend fallback, determinism, holdout AUC, save -> register -> load round trip, tamper refusal.
 */
import { chmod, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generatePayments } from '@mlops-lab/datagen';
import { aliasHistory, getAlias, listVersions, RegistryError } from '@mlops-lab/registry';
import { testServices } from '@mlops-lab/services/vitest';
import { beforeAll, describe, expect, it } from 'vitest';
import { logLoss } from './metrics.ts';
import { loadModel, type TrainResult, trainAndRegister } from './tf-model.ts';
import { loadTf } from './tfjs.ts';

const services = testServices({ needs: ['postgres'], namespace: 'training-test' });
let root: string;
let first: TrainResult;
const quiet = () => {};
const SEED = 11;
const SIZE = 4000;
/** The model the tests read; trained again, the same seed and data must give the same artifact. */
const trainFraud = () =>
  trainAndRegister({ services, name: 'fraud', seed: SEED, size: SIZE, artifactsRoot: root, log: quiet });

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'tf-artifacts-'));
  first = await trainFraud();
});

describe('TF.js payments model', () => {
  it('reports the backend it runs and why it skipped the ones before', async () => {
    const { backend, skipped } = await loadTf();
    expect(['tensorflow', 'wasm', 'cpu']).toContain(backend);
    expect(first.backend).toBe(backend);
    if (backend !== 'tensorflow') {
      expect(skipped[0].backend).toBe('tensorflow');
      expect(skipped[0].reason.length).toBeGreaterThan(0);
    }
  });

  it('beats AUC 0.7 on the later holdout and reports log loss and calibration', () => {
    expect(first.metrics.auc).toBeGreaterThan(0.7);
    expect(first.metrics.logLoss).toBeGreaterThan(0);
    expect(first.metrics.logLoss).toBeLessThan(0.5);
    expect(first.metrics.ece).toBeLessThan(0.1);
    expect(first.version).toBe(1);
  });

  it('is deterministic for a seed: same metrics and the same artifact bytes', async () => {
    const again = await trainFraud();
    expect(again.metrics).toEqual(first.metrics);
    expect(again.hash).toBe(first.hash);
    // The same artifact is the same model: the version that holds it is reused, not duplicated.
    expect(again.version).toBe(1);
    expect(again.reused).toBe(true);
    expect((await listVersions(services.pg, 'fraud')).map((v) => v.version)).toEqual([1]);
    expect((await aliasHistory(services.pg, 'fraud')).map((c) => c.toVersion)).toEqual([1]);
  });

  it('refuses data whose holdout has one class before training: its AUC could not judge the model', async () => {
    const events = generatePayments({
      seed: 5,
      size: 800,
      start: Date.UTC(2024, 0, 1),
      durationMs: 86_400_000,
    });
    const oneClass = events.map((e, i) => (i >= 600 ? { ...e, label: 0 as const } : e));
    const emptyRoot = await mkdtemp(join(tmpdir(), 'tf-one-class-'));
    const error = await trainAndRegister({
      services,
      name: 'one-class',
      events: oneClass,
      dataRef: 'test: every holdout label 0',
      artifactsRoot: emptyRoot,
      log: quiet,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).message).toMatch(/holdout .*200 rows.* no fraud/);
    expect(await readdir(emptyRoot)).toEqual([]);
    expect(await listVersions(services.pg, 'one-class')).toEqual([]);
    expect(await getAlias(services.pg, 'one-class', 'champion')).toBeNull();
  });

  it('save -> register -> load gives the predictions training evaluated', async () => {
    const byAlias = await loadModel(services, 'fraud@champion', { artifactsRoot: root, log: quiet });
    const byVersion = await loadModel(services, 'fraud@1', { artifactsRoot: root, log: quiet });
    expect(byAlias.version).toBe(1);
    // trainAndRegister's window (a week from 2024-01-01) and its holdout, the last quarter.
    const events = generatePayments({
      seed: SEED,
      size: SIZE,
      start: Date.UTC(2024, 0, 1),
      durationMs: 7 * 86_400_000,
    });
    const holdout = events.slice(SIZE * 0.75);
    const rows = holdout.map((e) => byAlias.preprocess(e));
    const p1 = await byAlias.predict(rows);
    const p2 = await byVersion.predict(rows);
    expect(Array.from(p1)).toEqual(Array.from(p2));
    // Same float32 scores as in training's evaluation, hence exactly the same log loss.
    expect(
      logLoss(
        p1,
        holdout.map((e) => e.label),
      ),
    ).toBe(first.metrics.logLoss);
    byAlias.dispose();
    byVersion.dispose();
  });

  it('refuses a tampered artifact', async () => {
    const file = join(root, first.hash, 'weights.bin');
    await chmod(file, 0o644);
    await writeFile(file, new Uint8Array(64));
    const error = await loadModel(services, 'fraud@1', { artifactsRoot: root, log: quiet }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(RegistryError);
    expect((error as RegistryError).code).toBe('tampered');
  });
});
