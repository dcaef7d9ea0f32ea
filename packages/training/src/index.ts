/**
 * @mlops-lab/training: the models labs train and the metrics they report (Q4, Q7), and what a server
 * needs from a payments model (`ServableModel`: request schema, encoder with its stats, samples), and
 * the scheduled retraining pipeline on BullMQ (src/retrain, Q14, Q15).
 */

export { expectedCalibrationError } from './calibration.ts';
export { codeGate, trainingSetHash } from './ci/code-gate.ts';
export {
  DATA_GATE_THRESHOLDS,
  type DataGateOptions,
  type DataGateThresholds,
  dataGate,
} from './ci/data-gate.ts';
export { CiInputError, type Finding, findingLine, type GateName, type GateResult } from './ci/gate.ts';
export {
  type CandidateSpec,
  type ModelGateOptions,
  modelGate,
  type ProductionModel,
} from './ci/model-gate.ts';
export {
  createPaymentsTable,
  insertPayments,
  PAYMENTS_COLUMNS_SQL,
  PAYMENTS_KEY,
  PAYMENTS_ORDER,
  PAYMENTS_PROFILE_SCHEMA,
} from './ci/payments-source.ts';
export { formatGate, type ModelCiInput, type ModelCiResult, runModelCi } from './ci/run.ts';
export { parseCandidateSpec } from './ci/spec.ts';
export { buildTrainingSet, permutation, type TrainingSet, type TrainingSetSpec } from './ci/training-set.ts';
export {
  fitStandardizer,
  type LogisticModel,
  predictLogistic,
  type Standardizer,
  standardize,
  type TrainOptions,
  trainLogistic,
} from './logistic.ts';
export { accuracy, logLoss, rocAuc } from './metrics.ts';
export { trainPaymentsLogistic } from './payments-logistic.ts';
export * from './quantize/index.ts';
export * from './retrain/index.ts';
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
export { type Backend, backendLine, loadTf, type TfHandle } from './tfjs.ts';
