/**
 * Adapter from a trained model to the ServingModel contract (Q16, Q18): the registry's TF.js model
 * (`loadModel` of @mlops-lab/training) or any other ServableModel. The model brings its request
 * schema, its own transform with the stats it was trained with, and its warm-up samples; the adapter
 * adds what the server owns: the body check (the schema, with the server's Ajv options, so the batch
 * job and direct callers are refused exactly as HTTP is) and the decision thresholds. No copy of any
 * transform lives here, and nothing here knows what the model scores.
 */
import { loadModel, PAYMENTS_INPUT_SCHEMA, type ServableModel } from '@mlops-lab/training';
import { decide, type ServingModel } from './model.ts';
import { checkBody } from './validation.ts';

export function fromLoadedModel(model: ServableModel): ServingModel {
  const check = checkBody<Parameters<ServableModel['preprocess']>[0]>(model.inputSchema);
  return {
    name: model.name,
    version: String(model.version),
    inputSchema: model.inputSchema,
    preprocess: (body) => model.preprocess(check(body)),
    predictBatch: (rows) => model.predict(rows),
    postprocess: decide,
    sampleInput: (i) => model.sampleInput(i),
  };
}

/**
 * The request schema of every model `loadServingModel` returns (training registers payments models):
 * a routed server validates with it before any version is loaded.
 */
export const registryInputSchema: Record<string, unknown> = PAYMENTS_INPUT_SCHEMA;

/** `name@alias|version` from the registry, as a ServingModel. */
export async function loadServingModel(
  services: Parameters<typeof loadModel>[0],
  ref: string,
  options: Parameters<typeof loadModel>[2] = {},
): Promise<ServingModel> {
  return fromLoadedModel(await loadModel(services, ref, options));
}
