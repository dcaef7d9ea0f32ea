/**
 * One quantized version served by the model server (Q33, Q16): `loadServingModel` resolves it in the
 * registry, checks its artifact hash and rebuilds it with its weights dequantized (the same path as
 * any fp32 version: nothing in the server knows about quantization). The lab posts holdout payments
 * to /predict and compares every reply with the version's own in-process score for the same body.
 */

import type { PaymentEvent } from '@mlops-lab/datagen';
import { createServer, loadServingModel, type PredictReply } from '@mlops-lab/model-server';
import { paymentBody } from '@mlops-lab/payments';
import type { Services } from '@mlops-lab/services';
import { loadModel } from '@mlops-lab/training';
import { request } from 'undici';

export interface Served {
  requests: number;
  ok: number;
  /** Replies that named another version than the one served. */
  wrongVersion: number;
  /** Largest |reply score - in-process score of the same version|. */
  maxDelta: number;
  decisions: Record<string, number>;
}

export async function serveQuantized(
  services: Pick<Services, 'pg'>,
  ref: string,
  events: readonly PaymentEvent[],
  artifactsRoot: string,
): Promise<Served> {
  const [name, version] = ref.split('@');
  const server = createServer({
    loader: () => loadServingModel(services, ref, { artifactsRoot, log: () => {} }),
    host: '127.0.0.1',
    port: 0,
    batching: { maxBatch: 32, maxWaitMs: 2, allowedSizes: [1, 8, 32] },
    warmup: { batchSizes: [1, 8, 32] },
    cache: { enabled: false },
    dedup: false,
  });
  const local = await loadModel(services, ref, { artifactsRoot, log: () => {} });
  try {
    const url = await server.start();
    await server.ready;
    const bodies = events.map(paymentBody);
    const expected = await local.predict(bodies.map((b) => local.preprocess(b)));
    const replies = await Promise.all(
      bodies.map(async (b) => {
        const res = await request(`${url}/predict`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify(b),
        });
        if (res.statusCode === 200) return (await res.body.json()) as PredictReply;
        await res.body.dump(); // counted as not ok below
        return null;
      }),
    );
    const served: Served = { requests: bodies.length, ok: 0, wrongVersion: 0, maxDelta: 0, decisions: {} };
    replies.forEach((r, i) => {
      if (!r) return;
      served.ok++;
      if (r.model.name !== name || r.model.version !== version) served.wrongVersion++;
      served.maxDelta = Math.max(served.maxDelta, Math.abs(r.score - expected[i]));
      served.decisions[r.decision] = (served.decisions[r.decision] ?? 0) + 1;
    });
    return served;
  } finally {
    local.dispose();
    await server.close();
  }
}
