/**
 * The scheduled retraining pipeline (Q14, Q15): BullMQ Job Scheduler -> tick -> run (pull from the
 * feature store, validate, train, evaluate against the champion, one terminal record and an idempotent
 * champion move), worker processes, and the history of every run.
 */
export { type Clock, type ClockSpec, DAY_MS, scaledClock, WEEK_MS } from './clock.ts';
export { type PipelineSpec, parseConfig, pipelineConfig, type RetrainConfig, SIM_START } from './config.ts';
export { type PipelineOptions, type PipelineRun, runPipeline } from './coordinator.ts';
export {
  ACTIVITY_FEATURES,
  type FeedColumns,
  type FeedRow,
  feedPayment,
  pullWindow,
  snapshotHash,
} from './data.ts';
export { type FeedSpec, feedPayments, type SeededFeed, seedFeed } from './feed.ts';
export { DEFAULT_GATE, evaluateGate, type GateInput, type GateOptions, type GateResult } from './gate.ts';
export { HISTORY_HEAD, historyRows, runHistory, type SlotHistory } from './history.ts';
export {
  inputRow,
  MODEL_FILE,
  modelFiles,
  type RetrainModel,
  readModelArtifact,
  scoreInputRows,
  scoreModel,
  trainModel,
} from './model.ts';
export { type RunContext, runSlot, slotDate } from './pipeline.ts';
export { type Finished, finishRun, type Outcome, runIdOf, type TerminalRecord } from './promote.ts';
export { RUNS, runJobId, schedulerId, TICKS, upsertSchedule } from './queues.ts';
export { migrateRetrain, retrainMigrations } from './schema.ts';
export { spawnWorker, type WorkerProcess } from './spawn.ts';
export { RETRAIN_SCHEMA } from './validate.ts';
