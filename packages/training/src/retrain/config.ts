/**
 * What every process of one retraining pipeline shares (Q14): where the stores are, the clock, the
 * scheduled slots, the data window, the gate. It travels to worker processes as JSON in
 * `RETRAIN_CONFIG`, and is checked there before any work.
 */
import type { BackendKind } from '@mlops-lab/services';
import type { ClockSpec } from './clock.ts';
import type { GateOptions } from './gate.ts';

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
