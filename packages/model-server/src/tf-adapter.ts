/**
 * Adapter from the registry's TF.js model (`loadModel` of @mlops-lab/training) to the ServingModel
 * contract (Q16, Q18): the server stays independent of how a model is stored; the preprocess is the
 * training package's own `preprocessPayment` with the stats saved in the artifact (no serving copy).
 */
import { type LoadedModel, loadModel } from '@mlops-lab/training';
import { decide, type ServingModel } from './model.ts';
import { PAYMENT_SCHEMA, paymentBodies, validatePayment } from './payments-model.ts';

export function fromLoadedModel(loaded: LoadedModel, samples = paymentBodies(5, 64)): ServingModel {
  return {
    name: loaded.name,
    version: String(loaded.version),
    inputSchema: PAYMENT_SCHEMA as unknown as Record<string, unknown>,
    preprocess: (body) => loaded.preprocess(validatePayment(body)),
    predictBatch: (rows) => loaded.predict(rows),
    postprocess: decide,
    sampleInput: (i) => samples[i % samples.length],
  };
}

/** `name@alias|version` from the registry, as a ServingModel. */
export async function loadServingModel(
  services: Parameters<typeof loadModel>[0],
  ref: string,
  options: Parameters<typeof loadModel>[2] = {},
): Promise<ServingModel> {
  return fromLoadedModel(await loadModel(services, ref, options));
}
