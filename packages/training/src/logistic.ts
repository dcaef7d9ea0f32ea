/**
 * Logistic regression by full-batch gradient descent on dense numeric rows: the small, fully
 * deterministic model the labs train when what they show is the data around a model, not the model
 * (Q4 drift, Q7 leakage). Deterministic: zero init, no shuffling, fixed epoch count.
 * Inputs are expected standardized (see `fitStandardizer`), so one learning rate suits every feature.
 */

export interface LogisticModel {
  weights: Float64Array;
  bias: number;
}

export interface TrainOptions {
  epochs?: number;
  learningRate?: number;
  /** L2 penalty on the weights (not the bias). */
  l2?: number;
}

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));

export function trainLogistic(
  rows: readonly Float64Array[],
  labels: ArrayLike<number>,
  { epochs = 300, learningRate = 0.5, l2 = 1e-4 }: TrainOptions = {},
): LogisticModel {
  if (rows.length === 0) throw new Error('trainLogistic: no rows to train on');
  if (rows.length !== labels.length) {
    throw new Error(`trainLogistic: ${rows.length} rows but ${labels.length} labels`);
  }
  const width = rows[0].length;
  const weights = new Float64Array(width);
  const grad = new Float64Array(width);
  let bias = 0;
  for (let epoch = 0; epoch < epochs; epoch++) {
    grad.fill(0);
    let gradBias = 0;
    for (let r = 0; r < rows.length; r++) {
      const x = rows[r];
      let z = bias;
      for (let j = 0; j < width; j++) z += weights[j] * x[j];
      const err = sigmoid(z) - labels[r];
      for (let j = 0; j < width; j++) grad[j] += err * x[j];
      gradBias += err;
    }
    for (let j = 0; j < width; j++) weights[j] -= learningRate * (grad[j] / rows.length + l2 * weights[j]);
    bias -= (learningRate * gradBias) / rows.length;
  }
  return { weights, bias };
}

export function predictLogistic(model: LogisticModel, x: Float64Array): number {
  let z = model.bias;
  for (let j = 0; j < x.length; j++) z += model.weights[j] * x[j];
  return sigmoid(z);
}

export interface Standardizer {
  means: Float64Array;
  stds: Float64Array;
}

/**
 * Column means and sample standard deviations, ignoring NaN (missing) entries. A constant column
 * gets std 1 so it standardizes to 0 instead of dividing by zero.
 */
export function fitStandardizer(rows: readonly Float64Array[]): Standardizer {
  const width = rows[0]?.length ?? 0;
  const means = new Float64Array(width);
  const stds = new Float64Array(width);
  for (let j = 0; j < width; j++) {
    let sum = 0;
    let sumSq = 0;
    let n = 0;
    for (const row of rows) {
      const v = row[j];
      if (Number.isNaN(v)) continue;
      sum += v;
      sumSq += v * v;
      n++;
    }
    const mean = n > 0 ? sum / n : 0;
    const variance = n > 1 ? (sumSq - n * mean * mean) / (n - 1) : 0;
    means[j] = mean;
    stds[j] = variance > 0 ? Math.sqrt(variance) : 1;
  }
  return { means, stds };
}

/** Standardizes in place; NaN (missing) becomes 0, i.e. the training mean. */
export function standardize(s: Standardizer, row: Float64Array): Float64Array {
  for (let j = 0; j < row.length; j++) {
    row[j] = Number.isNaN(row[j]) ? 0 : (row[j] - s.means[j]) / s.stds[j];
  }
  return row;
}

/** A standardizer fitted on raw rows and the logistic regression trained on those rows standardized. */
export interface StandardizedLogistic {
  standardizer: Standardizer;
  classifier: LogisticModel;
}

/** Fits the standardizer on `raw`, then trains on the standardized rows: the labs' usual model. */
export function trainStandardizedLogistic(
  raw: readonly Float64Array[],
  labels: ArrayLike<number>,
  options?: TrainOptions,
): StandardizedLogistic {
  const standardizer = fitStandardizer(raw);
  const classifier = trainLogistic(
    raw.map((r) => standardize(standardizer, r)),
    labels,
    options,
  );
  return { standardizer, classifier };
}

/** The score of one raw row: standardized with the training statistics, then the model. */
export function predictStandardized(m: StandardizedLogistic, raw: Float64Array): number {
  return predictLogistic(m.classifier, standardize(m.standardizer, raw));
}
