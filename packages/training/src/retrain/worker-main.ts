/**
 * A retraining worker process (Q14): `pnpm retrain worker` with the pipeline config in RETRAIN_CONFIG.
 * It joins the pipeline's schema and queue prefix, upserts the weekly schedule (every worker does, at
 * boot), and takes ticks and runs until SIGTERM (closes its workers gracefully) or SIGKILL.
 * Env: RETRAIN_CONFIG (JSON, config.ts), WORKER_NAME, and for fault tests STOP_AT=<train|after-finish>:<slot>[,...]:
 * at the first such point reached in a slot's first execution the worker prints "stopped <point> <slot>" and waits, still
 * renewing its lock, for its parent's SIGKILL. Prints "ready" once both workers take jobs.
 */
import { createPool } from '@mlops-lab/services';
import { Redis } from 'ioredis';
import { parseConfig } from './config.ts';
import type { RunContext } from './pipeline.ts';
import { startPipelineWorkers } from './queues.ts';

export async function workerMain(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const config = parseConfig(env.RETRAIN_CONFIG);
  const name = env.WORKER_NAME ?? `worker-${process.pid}`;
  const stops = new Set((env.STOP_AT ?? '').split(',').filter(Boolean));
  const pool = createPool(config.postgres.url, config.postgres.schema, config.postgres.kind);
  const clients: Redis[] = [];
  const redis = () => {
    const r = new Redis(config.redis.url, { maxRetriesPerRequest: null });
    clients.push(r);
    return r;
  };
  let stopped = false;
  const at: RunContext['at'] = async (point, slot, first) => {
    if (stopped || !first || !stops.has(`${point}:${slot}`)) return;
    stopped = true;
    process.stdout.write(`stopped ${point} ${slot}\n`);
    await new Promise(() => {}); // the parent kills this process here
  };
  const workers = await startPipelineWorkers(redis, pool, config, name, at);
  const shutdown = async () => {
    await workers.close();
    for (const c of clients) c.disconnect();
    await pool.end();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  process.stdout.write('ready\n');
}
