/**
 * Helpers for `labs/<name>/lab.test.ts` (ARCHITECTURE.md "Lab anatomy": a break flips the checks it is
 * meant to flip; the lab test runs `--quick` and asserts the checks, healthy and under every break).
 *
 *   it('healthy', async () => {
 *     expect(diffAgainstExpected(await runLabForTest(lab), lab)).toEqual(NO_SURPRISES);
 *   });
 *   it.each(lab.breaks.map((b) => b.name))('--break %s', async (fault) => {
 *     expect(diffAgainstExpected(await runLabForTest(lab, fault), lab)).toEqual(NO_SURPRISES);
 *   });
 */
import { diffChecks, type ExpectationDiff } from './expectation.ts';
import { type NarrationLabel, recordingNarration } from './narration.ts';
import { type RunLabOptions, runLab } from './run.ts';
import type { LabDefinition, LabReport } from './types.ts';

export { type ExpectationDiff, NO_SURPRISES } from './expectation.ts';

/**
 * Compares a report with its lab's definition: healthy -> every check passes; under fault f ->
 * exactly `f.flips` fail. Mystery reports cannot be judged (the fault is hidden) and throw.
 */
export function diffAgainstExpected(report: LabReport, lab: LabDefinition): ExpectationDiff {
  let flips: string[] = [];
  if (report.break !== null) {
    const br = lab.breaks.find((b) => b.name === report.break);
    if (!br)
      throw new Error(
        `report of lab ${report.lab} has break "${report.break}", which ${lab.name} does not define`,
      );
    flips = br.flips;
  }
  return diffChecks(report.checks, flips);
}

/** Runs a lab the way lab tests do: quick, seed 1, silent, throwaway services. */
export function runLabForTest(
  lab: LabDefinition,
  fault: string | null = null,
  overrides: RunLabOptions = {},
): Promise<LabReport> {
  return runLab(lab, { quick: true, seed: 1, silent: true, ephemeral: true, fault, ...overrides });
}

/**
 * `runLabForTest`, and the labels the run printed (narration.ts): compare a break's with the healthy
 * run's through `labelsAsRead(labels, fault)`, so a lab test proves the narration never names its fault.
 */
export async function runRecorded(
  lab: LabDefinition,
  fault: string | null = null,
  overrides: RunLabOptions = {},
): Promise<{ report: LabReport; labels: NarrationLabel[] }> {
  const labels: NarrationLabel[] = [];
  const report = await runLabForTest(recordingNarration(lab, labels), fault, overrides);
  for (const ch of report.checks) labels.push({ kind: 'check', text: ch.name });
  return { report, labels };
}
