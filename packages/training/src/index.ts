/**
 * @mlops-lab/training: the models labs train and the metrics they report (Q4, Q7).
 */

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
