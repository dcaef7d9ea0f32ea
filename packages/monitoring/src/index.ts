/**
 * @mlops-lab/monitoring: the prediction log (Redis Stream -> consumer group -> Postgres, idempotent),
 * monitors over event-time windows (input, output, operational, business), delayed labels, and
 * performance estimated without labels (CBPE, DLE) (Q26, Q28, Q35). README.md in this package.
 */
export {
  type CbpeModel,
  calibrate,
  estimatePerformance,
  expectedPerformance,
  fitCbpe,
  hanleyMcNeil,
  type PerformanceEstimate,
} from './cbpe.ts';
export {
  type Backlog,
  backlog,
  type ConsumerOptions,
  type ConsumerStats,
  ensureGroup,
  LogConsumer,
} from './consumer.ts';
export {
  type DleModel,
  EPV,
  estimateDle,
  fitDle,
  type Nanny,
  predictLoss,
  type ScoredRecord,
} from './dle.ts';
export { encodeRow, type FeatureRecord, fitRowEncoder, type RowEncoder } from './dle-features.ts';
export { MonitoringInputError } from './errors.ts';
export { fitIsotonic, type IsotonicFit, predictIsotonic } from './isotonic.ts';
export { PredictionLog, type PredictionLogOptions, type PredictionLogStats } from './log.ts';
export {
  type Alert,
  buildReference,
  DEFAULT_BOUNDS,
  type LabelStatus,
  type MonitorBounds,
  type MonitorKind,
  type MonitorReference,
  monitorWindow,
  OUTPUT_SCHEMA,
  trackAlerts,
  type WindowReport,
} from './monitors.ts';
export { ENTRY_FIELD, PredictionProducer, type ProducerOptions, type ProducerStats } from './producer.ts';
export { checkRecord, type FeatureValue, type PredictionRecord } from './record.ts';
export {
  type DriftCell,
  type FeatureHistogram,
  MAX_HISTOGRAMS,
  type ReportData,
  type ReportWindow,
  renderReport,
  reportData,
  SCORE_BINS,
  summarizeWindow,
  writeReport,
} from './report.ts';
export { inferSchema, parseReportCall, type ReportCall, reportFromLog } from './report-cli.ts';
export {
  accuracyOf,
  type Confusion,
  confusionOf,
  ESTIMATORS,
  type EstimatorName,
  type Measure,
  runScenarios,
  SCENARIO_SCHEMA,
  SCENARIOS,
  type Scenario,
  type ScenarioName,
  type ScenarioOptions,
  type ScenarioRow,
  type ScenarioTable,
  type ScenarioWindow,
  sumConfusion,
} from './scenarios.ts';
export {
  insertPredictions,
  insertRejected,
  type LabelRow,
  type LoggedRow,
  migrateMonitoring,
  monitoringMigrations,
  type Query,
  readLogged,
  recordLabels,
} from './store.ts';
export { type TimeWindow, tumblingWindows, windowIndex } from './windows.ts';
