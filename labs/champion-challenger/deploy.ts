/**
 * Model servers behind the router (Q15): one @mlops-lab/model-server per version on a loopback port,
 * each serving the registry's artifact (`loadServingModel`: hash-checked, the training preprocess).
 * The challenger first runs on a spare "shadow replica" that adds SLOW_MS to every call (a stand-in for a
 * small, shared, far-away box): shadow traffic must stay invisible to users even then. For its canary it
 * gets a production replica; the router's upstream for the version is a switch between the two, as a
 * Service points at whichever Deployment is current.
 */
import { createServer, loadServingModel, type ModelServer } from '@mlops-lab/model-server';
import { httpUpstream, type Upstream } from '@mlops-lab/router';
import type { Services } from '@mlops-lab/services';

/** Extra latency of the shadow replica, ms: 50x a model call here, far past any noise. */
export const SLOW_MS = 700;

export interface Replica {
  url: string;
  server: ModelServer;
  upstream: Upstream;
}

export async function startReplica(
  services: Pick<Services, 'pg'>,
  ref: string,
  version: string,
  artifactsRoot: string,
  options: { slowMs?: number } = {},
): Promise<Replica> {
  const server = createServer({
    model: await loadServingModel(services, ref, { artifactsRoot }),
    warmup: { batchSizes: [1, 8, 32] },
    // Every request must reach the model: a cache would hide the latency and the scores we compare.
    cache: { enabled: false },
    dedup: false,
    drainTimeoutMs: 500,
  });
  let slow = false; // switched on after warm-up, so warm-up itself is not slowed
  if (options.slowMs) {
    const ms = options.slowMs;
    server.app.addHook('preHandler', async (req) => {
      if (slow && req.url === '/predict') await new Promise((r) => setTimeout(r, ms));
    });
  }
  const url = await server.start();
  await server.ready;
  slow = true;
  // Many connections: a slow replica holds each one SLOW_MS, and shadow calls must not queue in the client.
  return { url, server, upstream: httpUpstream(version, url, 512) };
}

/** An upstream for `version` whose target replica can be switched while the router runs. */
export function switchable(version: string, initial: Replica) {
  let current = initial;
  const upstream: Upstream = {
    version,
    predict: (body, signal) => current.upstream.predict(body, signal),
  };
  return {
    upstream,
    use(replica: Replica) {
      current = replica;
    },
    get current() {
      return current;
    },
  };
}

export async function stopReplicas(replicas: Replica[]): Promise<void> {
  for (const r of replicas) {
    await r.upstream.close?.();
    await r.server.close();
  }
}
