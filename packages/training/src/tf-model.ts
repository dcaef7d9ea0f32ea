/**
 * A small TF.js fraud model on the payments world (Q16, Q18): encode with the payments encoder,
 * train a one-hidden-layer MLP with a fixed seed, evaluate on a later holdout (AUC, log loss,
 * calibration), save topology + weights + preprocessing stats + metadata as a content-addressed
 * artifact and register it. `loadModel` is the inverse the model server uses: resolve a reference,
 * verify the artifact hash, rebuild the model from memory.
 * Reference: TF.js LayersModel save/load through custom IO handlers (tf.io.withSaveHandler, fromMemory).
 */
import { generatePayments, type PaymentEvent } from '@mlops-lab/datagen';
import { encodePayment, type PaymentInput, type PaymentStats } from '@mlops-lab/payments';
import {
  checkModelName,
  getAlias,
  loadArtifact,
  migrateRegistry,
  putArtifact,
  RegistryError,
  registerModel,
  resolve,
  setAlias,
} from '@mlops-lab/registry';
import type { Services } from '@mlops-lab/services';
import { expectedCalibrationError } from './calibration.ts';
import { buildTrainingSet, type TrainingSet } from './ci/training-set.ts';
import { logLoss, rocAuc } from './metrics.ts';
import { layersModelFromFiles } from './quantize/artifact.ts';
import { PAYMENTS_INPUT_SCHEMA, type ServableModel, warmupSample } from './servable.ts';
import { type Backend, loadTf, type Tf } from './tfjs.ts';
import { trainNumber } from './train-input.ts';

export interface TrainMetrics {
  auc: number | null;
  logLoss: number;
  ece: number;
  trainRows: number;
  holdoutRows: number;
  fraudRate: number;
}

export interface TrainResult {
  version: number;
  /** True when this model already held the artifact under `version`: nothing new was registered. */
  reused: boolean;
  hash: string;
  metrics: TrainMetrics;
  backend: Backend;
}

export interface TrainOptions {
  services: Pick<Services, 'pg' | 'migrate'>;
  name?: string;
  seed?: number;
  size?: number;
  epochs?: number;
  /** Train on these (time-ordered) payments instead of generating the reference world (seed, size). */
  events?: PaymentEvent[];
  /** Lineage of `events`: required with them, recorded in the registry. */
  dataRef?: string;
  /** Where artifacts go (default: the registry's artifacts root). */
  artifactsRoot?: string;
  /** Point `champion` at the new version when the model has no champion yet (default true). */
  championIfUnset?: boolean;
  log?: (line: string) => void;
}

const START = Date.UTC(2024, 0, 1);
const enc = new TextEncoder();
const dec = new TextDecoder();

function buildModel(tf: Tf, inputs: number, seed: number) {
  // Explicit names: TF.js numbers unnamed layers from a process-wide counter, which would make the
  // topology (and so the artifact hash) depend on how many models were built before this one.
  const model = tf.sequential({ name: 'payments_fraud' });
  model.add(
    tf.layers.dense({
      name: 'hidden',
      inputShape: [inputs],
      units: 8,
      activation: 'relu',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  model.add(
    tf.layers.dense({
      name: 'score',
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy' });
  return model;
}

export type LayersModel = ReturnType<Tf['sequential']>;

/**
 * The MLP fitted on a training set: seeded initializers, batches in the set's own (seeded) order,
 * TF.js's shuffle off (it draws from Math.random). Call inside a tf.engine() scope.
 */
export async function fitModel(tf: Tf, set: TrainingSet, seed: number, epochs: number): Promise<LayersModel> {
  const model = buildModel(tf, set.xTrain[0].length, seed);
  await model.fit(tf.tensor2d(set.xTrain), tf.tensor2d(set.yTrain), {
    epochs,
    batchSize: 128,
    shuffle: false,
    verbose: 0,
  });
  return model;
}

export async function predictRows(tf: Tf, model: LayersModel, rows: number[][]): Promise<Float32Array> {
  if (rows.length === 0) return new Float32Array(0);
  const x = tf.tensor2d(rows);
  const y = model.predict(x) as ReturnType<Tf['tensor2d']>;
  try {
    return (await y.data()) as Float32Array;
  } finally {
    x.dispose();
    y.dispose();
  }
}

/** Serializes a trained model to artifact files through a custom save handler (no filesystem IO in TF.js). */
export async function toFiles(
  tf: Tf,
  model: LayersModel,
): Promise<{ 'model.json': Uint8Array; 'weights.bin': Uint8Array }> {
  let files: { 'model.json': Uint8Array; 'weights.bin': Uint8Array } | undefined;
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      const weights = tf.io.CompositeArrayBuffer.join(a.weightData);
      files = {
        'model.json': enc.encode(
          JSON.stringify({ modelTopology: a.modelTopology, weightSpecs: a.weightSpecs }),
        ),
        'weights.bin': new Uint8Array(weights),
      };
      return { modelArtifactsInfo: { dateSaved: new Date(0), modelTopologyType: 'JSON' } };
    }),
  );
  if (!files) throw new Error('TF.js save handler was not called');
  return files;
}

/** A holdout of one class gives no AUC, so the model could not be judged: refused before training. */
function checkHoldout(labels: readonly number[]): void {
  const fraud = labels.filter((l) => l === 1).length;
  if (fraud > 0 && fraud < labels.length) return;
  throw new RegistryError(
    'bad-input',
    `the holdout (the latest quarter, ${labels.length} rows) has ${fraud === 0 ? 'no fraud' : 'only fraud'}, ` +
      'so its AUC is undefined and the model could not be judged: train on more or other data',
  );
}

/**
 * Generates the payments window, trains, evaluates on the later 25%, stores and registers the model.
 * Every input is checked first (name, seed, size, epochs, a holdout with both classes): a refusal
 * leaves no artifact and no version behind.
 */
export async function trainAndRegister(options: TrainOptions): Promise<TrainResult> {
  const name = options.name ?? 'payments-fraud';
  checkModelName(name);
  const seed = trainNumber('seed', options.seed ?? 7);
  // The size limit is about generated data; given events are judged by their holdout below.
  const size = options.events?.length ?? trainNumber('size', options.size ?? 6000);
  const epochs = trainNumber('epochs', options.epochs ?? 15);
  const log = options.log ?? (() => {});
  if (options.events && !options.dataRef) {
    throw new RegistryError('bad-input', 'trainAndRegister: `events` need a `dataRef` saying what they are');
  }
  const events = options.events ?? generatePayments({ seed, size, start: START, durationMs: 7 * 86_400_000 });
  // Events are time-ordered: the holdout is the last quarter, as it would be in production.
  const set = buildTrainingSet(events, { shuffleSeed: seed });
  checkHoldout(set.holdoutLabels);
  const { stats, xTrain, trainRows: cut } = set;
  const { tf, backend } = await loadTf({ log });
  tf.engine().startScope();
  try {
    const model = await fitModel(tf, set, seed, epochs);
    const scores = await predictRows(tf, model, set.xHoldout);
    const labels = set.holdoutLabels;
    const metrics: TrainMetrics = {
      auc: rocAuc(scores, labels),
      logLoss: logLoss(scores, labels),
      ece: expectedCalibrationError(scores, labels, 10),
      trainRows: set.trainRows,
      holdoutRows: set.holdoutRows,
      fraudRate: labels.reduce((s: number, l) => s + l, 0) / Math.max(labels.length, 1),
    };
    const dataRef =
      options.dataRef ??
      `datagen:payments seed=${seed} size=${size} start=${new Date(START).toISOString()} train=${cut}`;
    const meta = {
      name,
      kind: 'mlp-8',
      features: xTrain[0].length,
      seed,
      size,
      dataRef,
      trainedOn: backend,
      metrics,
    };
    const { hash } = await putArtifact(
      {
        ...(await toFiles(tf, model)),
        'preprocessing.json': enc.encode(JSON.stringify(stats)),
        'metadata.json': enc.encode(JSON.stringify(meta)),
      },
      { root: options.artifactsRoot },
    );
    await migrateRegistry(options.services);
    const registered = await registerModel(options.services.pg, {
      name,
      hash,
      dataRef,
      metrics: { ...metrics },
    });
    // Only an unset champion is set: a reused version the champion already points at is not moved
    // again, and setAlias itself refuses a champion whose metrics are not finite.
    if (
      (options.championIfUnset ?? true) &&
      (await getAlias(options.services.pg, name, 'champion')) === null
    ) {
      await setAlias(options.services.pg, name, 'champion', registered.version, 'first registered version');
    }
    log(
      registered.reused
        ? `${name}@${registered.version} already holds this artifact (hash ${hash.slice(0, 12)}…): ` +
            'not registering a new version'
        : `registered ${name}@${registered.version} (artifact ${hash.slice(0, 12)}, AUC ${metrics.auc?.toFixed(3)})`,
    );
    return { version: registered.version, reused: registered.reused, hash, metrics, backend };
  } finally {
    tf.engine().endScope();
  }
}

/** A registered model rebuilt from its artifact: servable, with what it was built from. */
export interface LoadedModel extends ServableModel {
  name: string;
  version: number;
  hash: string;
  backend: Backend;
  /** The encoder's stats saved in the artifact (preprocessing.json). */
  stats: PaymentStats;
  metadata: Record<string, unknown>;
  /** The payments encoder bound to this model's stats. */
  preprocess(event: PaymentInput): number[];
  dispose(): void;
}

/** Resolves `name@alias|version`, verifies the artifact hash (tampered: RegistryError) and rebuilds the model. */
export async function loadModel(
  services: Pick<Services, 'pg'>,
  ref: string,
  options: { artifactsRoot?: string; log?: (line: string) => void } = {},
): Promise<LoadedModel> {
  const mv = await resolve(services.pg, ref);
  const files = await loadArtifact(mv.hash, { root: options.artifactsRoot });
  return modelFromFiles(files, mv, options);
}

/**
 * Rebuilds a model from an artifact's files, trusting them as given: `loadModel` is the way in that
 * checks them against the registry. Exported for stores that hold files some other way.
 */
export async function modelFromFiles(
  files: Record<string, Uint8Array>,
  id: { name: string; version: number; hash: string },
  options: { log?: (line: string) => void } = {},
): Promise<LoadedModel> {
  const { tf, backend } = await loadTf({ log: options.log });
  for (const f of ['model.json', 'preprocessing.json', 'metadata.json']) {
    if (!files[f]) throw new RegistryError('bad-input', `artifact of ${id.name}@${id.version} has no ${f}`);
  }
  // weights.bin, or a quantized artifact's weights dequantized to float32 (src/quantize/artifact.ts).
  const model = await layersModelFromFiles(tf, files, `${id.name}@${id.version}`);
  const stats = JSON.parse(dec.decode(files['preprocessing.json'])) as PaymentStats;
  return {
    name: id.name,
    version: id.version,
    hash: id.hash,
    backend,
    stats,
    metadata: JSON.parse(dec.decode(files['metadata.json'])),
    inputSchema: PAYMENTS_INPUT_SCHEMA,
    preprocess: (event) => encodePayment(event, stats),
    predict: (rows) => predictRows(tf, model, rows),
    sampleInput: warmupSample,
    dispose: () => model.dispose(),
  };
}
