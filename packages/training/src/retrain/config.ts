/**
 * What every process of one retraining pipeline shares (Q14): where the stores are, the clock, the
 * scheduled slots, the data window, the gate. It travels to worker processes as JSON in
 * `RETRAIN_CONFIG`, and is checked there before any work.
 */
import type { BackendKind, ServicesWithExtras } from '@mlops-lab/services';
import type { ClockSpec } from './clock.ts';
import { DEFAULT_GATE, type GateOptions } from './gate.ts';

/** Simulated week 0 of every pipeline here: a Monday. */
export const SIM_START = Date.UTC(2025, 0, 6);

export interface RetrainConfig {
  model: string;
  postgres: { url: string; kind: BackendKind; schema: string };
  /** BullMQ key prefix: the run's namespace, so two pipelines on one Redis never share a queue. */
  redis: { url: string; prefix: string };
  clock: ClockSpec;
  /** Scheduled weeks: slot k runs at the start of week k and holds out week k - 1. */
  firstSlot: number;
  lastSlot: number;
  /** Weeks of training data before the holdout week. */
  trainWeeks: number;
  /** A holdout week with fewer rows (or fewer of a class) is skipped with that reason. */
  minRows: number;
  minPerClass: number;
  epochs: number;
  gate: GateOptions;
  artifactsRoot: string;
  /** BullMQ stalled-job settings, the same on every worker of the queue. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /** The metric-gaming fault: the training window reaches into the holdout week. */
  overlapHoldout?: boolean;
}

export function parseConfig(text: string | undefined): RetrainConfig {
  if (!text) throw new Error('retrain worker: RETRAIN_CONFIG is not set (the pipeline config as JSON)');
  const c = JSON.parse(text) as RetrainConfig;
  const missing = ['model', 'postgres', 'redis', 'clock', 'gate', 'artifactsRoot'].filter(
    (k) => (c as unknown as Record<string, unknown>)[k] === undefined,
  );
  if (missing.length > 0) throw new Error(`retrain worker: RETRAIN_CONFIG lacks ${missing.join(', ')}`);
  if (!(c.lastSlot >= c.firstSlot && c.firstSlot >= 1))
    throw new Error(`retrain worker: slots ${c.firstSlot}..${c.lastSlot} must be 1 <= first <= last`);
  return c;
}

export interface PipelineSpec {
  model: string;
  /** The stores the workers join: the same schema, and a queue prefix under the services' key prefix. */
  services: Pick<ServicesWithExtras, 'backends' | 'schema' | 'key' | 'pg'>;
  firstSlot: number;
  lastSlot: number;
  /** Payments per feed week: a week below a quarter of it is skipped. */
  paymentsPerWeek: number;
  seed: number;
  weekRealMs: number;
  artifactsRoot: string;
  epochs?: number;
  /** Wall-clock ms until week `firstSlot` starts (the workers boot meanwhile; a late first tick is caught up). */
  startInMs?: number;
  overlapHoldout?: boolean;
  /**
   * BullMQ's lock on a job (renewed every half of it) and the stalled-job check's period. A run's steps
   * are CPU-bound for a few hundred ms at a time (training, the bootstrap, the data gate); on a loaded
   * machine a 1.5 s lock lapsed under a live worker and its job ran again, so the default is 5 s / 1 s.
   */
  lockDurationMs?: number;
  stalledIntervalMs?: number;
}

/** The pipeline config the lab, `pnpm retrain run` and the fault tests share. */
export function pipelineConfig(spec: PipelineSpec, now: number = Date.now()): RetrainConfig {
  const pg = spec.services.backends.postgres;
  const redis = spec.services.backends.redis;
  if (!pg || !redis) throw new Error('retrain: the pipeline needs postgres and redis');
  // `backends.*.url` has its password masked (it is for printing): a worker process needs the real one,
  // the pool's own connection string, and REDIS_URL itself when Redis came from it (Docker's and the
  // embedded redis-server take no password).
  const pgUrl = (spec.services.pg as unknown as { options: { connectionString?: string } }).options
    .connectionString;
  const redisUrl = redis.kind === 'env' ? process.env.REDIS_URL : redis.url;
  if (!pgUrl || !redisUrl) throw new Error('retrain: the services give no connection URL for the workers');
  return {
    model: spec.model,
    postgres: { url: pgUrl, kind: pg.kind, schema: spec.services.schema },
    // A queue prefix per model: the run job ids (run-<week>) are unique per queue.
    redis: { url: redisUrl, prefix: spec.services.key(`bull:${spec.model}`) },
    clock: {
      simStart: SIM_START,
      realStart: now + (spec.startInMs ?? 6000) - spec.firstSlot * spec.weekRealMs,
      weekRealMs: spec.weekRealMs,
    },
    firstSlot: spec.firstSlot,
    lastSlot: spec.lastSlot,
    trainWeeks: 2,
    minRows: Math.round(spec.paymentsPerWeek / 4),
    minPerClass: 20,
    epochs: spec.epochs ?? 150,
    gate: { ...DEFAULT_GATE, seed: spec.seed },
    artifactsRoot: spec.artifactsRoot,
    lockDurationMs: spec.lockDurationMs ?? 5000,
    stalledIntervalMs: spec.stalledIntervalMs ?? 1000,
    overlapHoldout: spec.overlapHoldout ?? false,
  };
}
