/**
 * @mlops-lab/evaluation: the statistics that judge a model (Q4, Q15, Q29): ROC AUC, DeLong's test of
 * two correlated AUCs, the paired bootstrap of their difference, Wilson intervals, the normal tail and
 * sample quantiles, each checked against numpy / scipy golden values (golden/make_golden.py), and the
 * binormal simulation the null experiments draw from.
 */
export { midranks, rocAuc } from './auc.ts';
export { bootstrapAucDeltas, pairedBootstrapAucDelta } from './bootstrap.ts';
export { type DeLongResult, delongTest } from './delong.ts';
export { type EvaluationInputCode, EvaluationInputError } from './errors.ts';
export { normalSf } from './normal.ts';
export { type QuantileMethod, type QuantileOptions, quantile } from './quantile.ts';
export { type ClassCounts, checkPairedSample, checkScoredSample, type PairedSample } from './sample.ts';
export { type PairedScoresOptions, simulatePairedScores } from './simulate.ts';
export { wilson, Z95 } from './wilson.ts';
