/**
 * @mlops-lab/training: the models labs train and the metrics they report (Q4, Q7).
 */

export { expectedCalibrationError } from './calibration.ts';
export {
  featureNames,
  fitPaymentStats,
  type PaymentInput,
  type PaymentStats,
  preprocessPayment,
} from './features.ts';
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
export {
  type LoadedModel,
  loadModel,
  modelFromFiles,
  type TrainMetrics,
  type TrainResult,
  trainAndRegister,
} from './tf-model.ts';
export { type Backend, loadTf, type TfHandle } from './tfjs.ts';
