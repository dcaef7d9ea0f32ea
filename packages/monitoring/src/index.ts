/**
 * @mlops-lab/monitoring: the prediction log (Redis Stream -> consumer group -> Postgres, idempotent),
 * monitors over event-time windows (input, output, operational, business), delayed labels, and
 * performance estimated without labels (CBPE, DLE) (Q26, Q28, Q35). README.md in this package.
 *
 * This entry exports what callers outside the package use (servers and the router append through
 * PredictionLog; labs read the log back and run the monitors, the report and the estimator table),
 * with the types those signatures name. The producer, the consumer group, DLE and the report's CLI
 * stay in their files; `pnpm monitor` runs src/report-cli.ts.
 */
export type { Backlog, LogConsumer } from './consumer.ts';
export { PredictionLog, type PredictionLogOptions, type PredictionLogStats } from './log.ts';
export {
  buildReference,
  type MonitorBounds,
  type MonitorReference,
  monitorWindow,
  monitorWindows,
  type WindowReport,
} from './monitors.ts';
export type { FeatureValue, PredictionRecord } from './record.ts';
export { writeReport } from './report.ts';
export { type ReportData, reportData } from './report-data.ts';
export { runScenarios, type ScenarioOptions, type ScenarioTable } from './scenarios.ts';
export {
  type LabelRow,
  type LoggedRow,
  type LoggedWindow,
  migrateMonitoring,
  readLogged,
  readWindows,
  recordLabels,
} from './store.ts';
export { type TimeWindow, tumblingWindows } from './windows.ts';
