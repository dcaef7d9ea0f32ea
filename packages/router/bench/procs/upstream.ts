/**
 * A model server in its own process for `pnpm bench router`: the in-process logistic payments model,
 * each batch delayed by `delayMs` (0 for the champion). Prints its URL on the first stdout line and
 * serves until SIGTERM. Separate processes keep the challenger's work off the router's event loop,
 * as it is in production.   usage: upstream.ts <version> <delayMs>
 */
import { createServer, trainPaymentsModel } from '@mlops-lab/model-server';

const [version = '1', delay = '0'] = process.argv.slice(2);
const delayMs = Number(delay);
const model = trainPaymentsModel({ seed: 1, size: 2000, epochs: 100 });
const server = createServer({
  model: {
    ...model,
    version,
    predictBatch: async (rows) => {
      if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
      return model.predictBatch(rows);
    },
  },
  warmup: { batchSizes: [1, 8, 16] },
  batching: { maxBatch: 32, maxWaitMs: 1 },
  drainTimeoutMs: 500,
});
console.log(await server.start());
await server.ready;
console.log('ready');
process.once('SIGTERM', () => void server.close().then(() => process.exit(0)));
