/**
 * The bigger model of the quantization lab (Q33): an MLP with ~0.8M weights (256 -> 1024 -> 512 -> 12)
 * that reads a document's embedding (the retriever's hashed n-gram embedder, 256 dimensions) and
 * names its topic, trained here on the datagen corpus so that artifact size, load time and latency
 * are measurable at all: the payments model has 185 weights and its artifact is mostly JSON.
 * Registered like any model (content-addressed artifact, version in Postgres); loaded back through
 * the same `layersModelFromFiles` the payments model uses.
 */
import { generateCorpus } from '@mlops-lab/datagen';
import { loadArtifact, migrateRegistry, putArtifact, registerModel, resolve } from '@mlops-lab/registry';
import { createEmbedder } from '@mlops-lab/retriever';
import type { Services } from '@mlops-lab/services';
import {
  type LayersModel,
  layersModelFromFiles,
  predictRows,
  type TfHandle,
  toFiles,
} from '@mlops-lab/training';

export const CORPUS_MODEL = 'corpus-topics';
const DIM = 256;
const TOPICS = 12;
const enc = new TextEncoder();

export interface CorpusData {
  xHoldout: number[][];
  holdoutLabels: number[];
  trainRows: number;
  weights: number;
}

type Tf = TfHandle['tf'];

function build(tf: Tf, seed: number): LayersModel {
  // Named layers: TF.js numbers unnamed ones from a process-wide counter (the artifact hash would move).
  const model = tf.sequential({ name: 'corpus_topics' });
  const dense = (
    name: string,
    units: number,
    activation: 'relu' | 'softmax',
    s: number,
    inputShape?: number[],
  ) =>
    tf.layers.dense({
      name,
      units,
      activation,
      inputShape,
      kernelInitializer: tf.initializers.glorotUniform({ seed: s }),
    });
  model.add(dense('h1', 1024, 'relu', seed, [DIM]));
  model.add(dense('h2', 512, 'relu', seed + 1));
  model.add(dense('topic', TOPICS, 'softmax', seed + 2));
  model.compile({ optimizer: tf.train.adam(0.001), loss: 'categoricalCrossentropy' });
  return model;
}

/** Embeds the corpus, trains on the first 75% of documents, registers the model; returns the holdout. */
export async function trainCorpusModel(
  { tf }: TfHandle,
  services: Pick<Services, 'pg' | 'migrate'>,
  options: { seed: number; documents: number; epochs: number; artifactsRoot: string },
): Promise<CorpusData & { version: number; hash: string; accuracy: number }> {
  const docs = generateCorpus({
    seed: options.seed,
    documents: options.documents,
    queries: 0,
    topics: TOPICS,
  }).documents;
  const embedder = createEmbedder({ dim: DIM, version: 'hash-v1' });
  const topics = [...new Set(docs.map((d) => d.topic))].sort();
  const x = embedder.embedBatch(docs.map((d) => `${d.title}. ${d.text}`)).map((v) => [...v]);
  const y = docs.map((d) => topics.indexOf(d.topic));
  const cut = Math.floor(docs.length * 0.75);
  const model = build(tf, options.seed);
  const xs = tf.tensor2d(x.slice(0, cut));
  const ys = tf.oneHot(tf.tensor1d(y.slice(0, cut), 'int32'), TOPICS);
  try {
    // Documents are drawn independently, so their order is already random; TF.js's shuffle is unseeded.
    await model.fit(xs, ys, { epochs: options.epochs, batchSize: 64, shuffle: false, verbose: 0 });
  } finally {
    xs.dispose();
    ys.dispose();
  }
  const xHoldout = x.slice(cut);
  const holdoutLabels = y.slice(cut);
  const probs = await predictRows(tf, model, xHoldout); // class probabilities, row-major (rows · 12)
  const accuracy = argmaxAgreement(probs, holdoutLabels);
  const weights = model.countParams();
  const dataRef = `datagen:corpus seed=${options.seed} documents=${options.documents} train=${cut}; embedder ${embedder.version} dim ${DIM}`;
  const files = {
    ...(await toFiles(tf, model)),
    'preprocessing.json': enc.encode(JSON.stringify({ embedder: embedder.version, dim: DIM, topics })),
    'metadata.json': enc.encode(
      JSON.stringify({ name: CORPUS_MODEL, kind: 'mlp-1024-512', weights, dataRef }),
    ),
  };
  model.dispose();
  const { hash } = await putArtifact(files, { root: options.artifactsRoot });
  await migrateRegistry(services);
  const { version } = await registerModel(services.pg, {
    name: CORPUS_MODEL,
    hash,
    dataRef,
    metrics: { accuracy },
  });
  return { version, hash, accuracy, xHoldout, holdoutLabels, trainRows: cut, weights };
}

export function argmaxOf(probs: Float32Array, row: number): number {
  let best = 0;
  for (let k = 1; k < TOPICS; k++) if (probs[row * TOPICS + k] > probs[row * TOPICS + best]) best = k;
  return best;
}

/** Share of rows whose argmax equals `labels` (accuracy), or another model's argmax (agreement). */
export function argmaxAgreement(probs: Float32Array, labels: readonly number[]): number {
  let same = 0;
  for (let i = 0; i < labels.length; i++) if (argmaxOf(probs, i) === labels[i]) same++;
  return same / labels.length;
}

/** A registered corpus model by reference: artifact read and hash-checked, weights dequantized, rebuilt. */
export async function loadCorpusModel(
  { tf }: TfHandle,
  services: Pick<Services, 'pg'>,
  ref: string,
  artifactsRoot: string,
): Promise<{ predict(rows: number[][]): Promise<Float32Array>; dispose(): void }> {
  const mv = await resolve(services.pg, ref);
  const model = await layersModelFromFiles(tf, await loadArtifact(mv.hash, { root: artifactsRoot }), ref);
  return { predict: (rows) => predictRows(tf, model, rows), dispose: () => model.dispose() };
}
