/**
 * The fraud model of the debugging lab (Q30): logistic regression on the payments encoder, stored as
 * a registry artifact (weights and the encoder's fitted stats in one JSON file) and loaded back from
 * it for serving, so the version a server answers with is the one the registry names.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { fromLoadedModel, type ServingModel } from '@mlops-lab/model-server';
import {
  encodePayment,
  fitPaymentStats,
  PaymentRequest,
  type PaymentStats,
  paymentBody,
} from '@mlops-lab/payments';
import { predictLogistic, trainLogistic } from '@mlops-lab/training';

export const MODEL_NAME = 'fraud-debugging';
const FILE = 'model.json';

interface Saved {
  weights: number[];
  bias: number;
  stats: PaymentStats;
}

/** Trains on the events and returns the artifact's files. */
export function trainArtifact(events: readonly PaymentEvent[]): Record<string, Uint8Array> {
  const stats = fitPaymentStats(events);
  const model = trainLogistic(
    events.map((e) => Float64Array.from(encodePayment(e, stats))),
    events.map((e) => e.label),
  );
  const saved: Saved = { weights: Array.from(model.weights), bias: model.bias, stats };
  return { [FILE]: new TextEncoder().encode(JSON.stringify(saved)) };
}

/** The artifact's files as a ServingModel of `version`; warm-up uses `samples` as request bodies. */
export function servingModel(
  files: Record<string, Uint8Array>,
  version: number,
  samples: readonly PaymentEvent[],
): ServingModel {
  const saved = JSON.parse(new TextDecoder().decode(files[FILE])) as Saved;
  const model = { weights: Float64Array.from(saved.weights), bias: saved.bias };
  const bodies = samples.slice(0, 32).map(paymentBody);
  return fromLoadedModel({
    name: MODEL_NAME,
    version,
    inputSchema: PaymentRequest,
    preprocess: (input) => encodePayment(input, saved.stats),
    predict: async (rows) => Float32Array.from(rows, (x) => predictLogistic(model, Float64Array.from(x))),
    sampleInput: (i) => bodies[i % bodies.length],
  });
}
