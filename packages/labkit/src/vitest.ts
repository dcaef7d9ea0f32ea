/**
 * The standard test of a lab (ARCHITECTURE.md "Lab anatomy"), as a vitest suite: with --quick, a healthy
 * run passes every check and names its metrics in camelCase; under each fault, armed as `--mystery`
 * arms it, exactly the checks the fault declares fail, and the narration's labels are the healthy
 * run's (narration.ts): a mystery must not name its fault in a label. One run per case; a lab adds
 * its own assertions on the healthy report and on each break's through `extra`.
 * A separate entry (`@mlops-lab/labkit/vitest`) so the CLI never loads vitest.
 */
import { describe, expect, it } from 'vitest';
import { diffChecks } from './expectation.ts';
import { redactor } from './mystery.ts';
import { CAMEL_CASE, labelsAsRead, type NarrationLabel } from './narration.ts';
import { runRecorded } from './testing.ts';
import type { LabDefinition, LabReport } from './types.ts';

/** A lab's own assertions on top of the standard ones: on the healthy report, and on each break's. */
export interface LabSuiteExtra {
  healthy?: (report: LabReport) => void;
  broken?: (report: LabReport, fault: string) => void;
}

export function labSuite(lab: LabDefinition, extra?: LabSuiteExtra): void {
  describe(`lab ${lab.name} --quick`, () => {
    let healthy: NarrationLabel[] | undefined;

    it('passes every check when healthy, metric keys in camelCase', async () => {
      const { report, labels } = await runRecorded(lab, null);
      healthy = labels;
      expect(report.checks.filter((c) => !c.passed)).toEqual([]);
      expect(report.passed).toBe(true);
      expect(Object.keys(report.metrics).filter((k) => !CAMEL_CASE.test(k))).toEqual([]);
      extra?.healthy?.(report);
    });

    for (const fault of lab.breaks) {
      it(`--mystery armed with ${fault.name}: fails exactly ${fault.flips.join('; ')}; labels as healthy`, async () => {
        const { report, labels } = await runRecorded(lab, fault.name, { mystery: true });
        // A mystery report's check names went through the runner's redaction: so do the flips.
        const diff = diffChecks(report.checks, fault.flips.map(redactor(fault.name)));
        expect(diff.unexpectedFailures).toEqual([]);
        expect(diff.unexpectedPasses).toEqual([]);
        expect(report.passed).toBe(false);
        healthy ??= (await runRecorded(lab, null)).labels;
        // The diff shows the label that changed with the armed fault.
        expect(labelsAsRead(labels, fault.name)).toEqual(labelsAsRead(healthy, fault.name));
        extra?.broken?.(report, fault.name);
      });
    }
  });
}
