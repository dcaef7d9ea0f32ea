/**
 * @mlops-lab/training: the models labs train and the metrics they report (Q4, Q7), and what a server
 * needs from a payments model (`ServableModel`: request schema, encoder with its stats, samples), ML
 * CI (src/ci), weight quantization (src/quantize, Q33), and the scheduled retraining pipeline on
 * BullMQ (src/retrain, Q14, Q15).
 *
 * What other packages and the labs use, with the types those signatures name; the rest stays in its
 * file. The logistic regression without TF.js is also the entry `@mlops-lab/training/logistic`, for
 * packages that must not load TF.js (monitoring).
 */

export { type DataGateOptions, dataGate } from './ci/data-gate.ts';
export { type Finding, findingLine, type GateName, type GateResult } from './ci/gate.ts';
export type { CandidateSpec } from './ci/model-gate.ts';
export {
  createPaymentsTable,
  insertPayments,
  PAYMENTS_ORDER,
  PAYMENTS_PROFILE_SCHEMA,
} from './ci/payments-source.ts';
export { type ModelCiInput, type ModelCiResult, runModelCi } from './ci/run.ts';
export type { TrainingSetSpec } from './ci/training-set.ts';
// The logistic regression whole (the labs use all of it), also its own entry, `./logistic`.
export * from './logistic.ts';
export { accuracy, rocAuc } from './metrics.ts';
export { trainPaymentsLogistic } from './payments-logistic.ts';
export {
  fp32Weights,
  layersModelFromFiles,
  type QuantizeResult,
  quantizeArtifact,
  type TensorReport,
  weightsOf,
} from './quantize/artifact.ts';
export { type QuantizedVersion, registerQuantized } from './quantize/register.ts';
export type { Scheme } from './quantize/scheme.ts';
export { WEEK_MS } from './retrain/clock.ts';
export { type PipelineSpec, pipelineConfig, type RetrainConfig, SIM_START } from './retrain/config.ts';
export { type PipelineOptions, type PipelineRun, runPipeline } from './retrain/coordinator.ts';
export {
  ACTIVITY_FEATURES,
  type FeedColumns,
  type FeedRow,
  feedPayment,
  pullWindow,
  snapshotHash,
} from './retrain/data.ts';
export { type FeedSpec, type SeededFeed, seedFeed } from './retrain/feed.ts';
export { HISTORY_HEAD, historyRows, runHistory, type SlotHistory } from './retrain/history.ts';
export {
  inputRow,
  modelFiles,
  type RetrainModel,
  readModelArtifact,
  scoreInputRows,
  scoreModel,
  trainModel,
} from './retrain/model.ts';
export { type RunContext, runSlot } from './retrain/pipeline.ts';
export type { Finished } from './retrain/promote.ts';
export { migrateRetrain } from './retrain/schema.ts';
export { RETRAIN_SCHEMA } from './retrain/validate.ts';
export { PAYMENTS_INPUT_SCHEMA, type ServableModel } from './servable.ts';
export { snapshotEvents, trainFromSnapshot } from './snapshot-train.ts';
export {
  type LayersModel,
  type LoadedModel,
  loadModel,
  modelFromFiles,
  predictRows,
  type TrainMetrics,
  type TrainResult,
  toFiles,
  trainAndRegister,
} from './tf-model.ts';
export { type Backend, loadTf, type TfHandle } from './tfjs.ts';
