/**
 * @mlops-lab/labkit: the lab runner and the toolkit labs are written with (ARCHITECTURE.md "Lab anatomy").
 */
export { type ChartOptions, type ChartSeries, downsample, fillNonFinite, renderChart } from './chart.ts';
export { hintOf, LabRunError, LabUsageError, messageOf } from './errors.ts';
export { check, fmt, timed, timedSync } from './format.ts';
export { pickMystery, redactor } from './mystery.ts';
export { labelsAsRead, type NarrationLabel, normaliseLabel, recordingNarration } from './narration.ts';
export { ConsoleNarrator, colorEnabled, type NarratorOptions, type OutStream } from './narrator.ts';
export { noServices } from './no-services.ts';
export { exitCodeOf, questionList } from './report.ts';
export {
  type AcquireFn,
  findBreak,
  type RunLabOptions,
  runLab,
  validateInvestigation,
  validateSeed,
} from './run.ts';
export {
  diffAgainstExpected,
  type ExpectationDiff,
  NO_SURPRISES,
  runLabForTest,
  runRecorded,
} from './testing.ts';
export type * from './types.ts';
