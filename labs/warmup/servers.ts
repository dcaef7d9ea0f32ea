/**
 * The two model servers of the warmup lab (Q19), both @mlops-lab/model-server with the same model,
 * the same micro-batcher and the same padded batch shapes (TF Serving's allowed_batch_sizes):
 * - ready-at-start: /readyz 200 as soon as the process listens, no warm-up (the common default of a
 *   hand-rolled server whose readiness probe only says "the process is up");
 * - warm-aware: /readyz 200 only after the model is loaded from the registry and warmed at every
 *   batch shape the batcher can produce (TF Serving warm-up records, Triton model_warmup).
 * The lab's faults are switched on here, in the configuration the real server code reads.
 */
import {
  createServer,
  type ModelServer,
  type ServerOptions,
  type ServingModel,
} from '@mlops-lab/model-server';

/** Every batch is padded up to one of these shapes, so these are the only shapes the model ever runs. */
export const ALLOWED_SIZES = [1, 8, 32, 64];

export interface LabServer {
  server: ModelServer;
  /** performance.now() when the loader returned the model (0 until then). */
  loaded: { at: number };
  /** The warm-up batch sizes it was configured with (false: none). */
  warmupSizes: number[] | false;
}

function base(load: () => Promise<ServingModel>, loaded: { at: number }): ServerOptions {
  return {
    // The real load: resolve the alias in Postgres, read and hash-verify the artifact, rebuild TF.js.
    loader: async () => {
      const model = await load();
      loaded.at = performance.now();
      return model;
    },
    batching: { maxBatch: 64, maxWaitMs: 2, allowedSizes: ALLOWED_SIZES },
    // Off so every request reaches the model: the lab measures the model path, not the cache.
    cache: { enabled: false },
    dedup: false,
  };
}

export function readyAtStartServer(load: () => Promise<ServingModel>): LabServer {
  const loaded = { at: 0 };
  const server = createServer({ ...base(load, loaded), readyAtStart: true, warmup: false });
  return { server, loaded, warmupSizes: false };
}

export function warmAwareServer(load: () => Promise<ServingModel>, fault: string | null): LabServer {
  const loaded = { at: 0 };
  // Healthy: warm-up covers exactly the shapes the batcher pads to. The faulty config warms single
  // requests only, a list kept apart from the batcher's and never updated when batching came in.
  const warmupSizes = fault === 'warmup-wrong-shapes' ? [1] : ALLOWED_SIZES;
  const server = createServer({
    ...base(load, loaded),
    warmup: { batchSizes: warmupSizes, rounds: 3 },
    readyAtStart: fault === 'ready-too-early',
  });
  return { server, loaded, warmupSizes };
}
