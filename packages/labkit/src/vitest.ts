/**
 * The standard test of a lab (ARCHITECTURE.md "Lab anatomy"), as a vitest suite: with --quick, a healthy
 * run passes every check, and under each fault exactly the checks the fault declares fail.
 * A separate entry (`@mlops-lab/labkit/vitest`) so the CLI never loads vitest.
 */
import { describe, expect, it } from 'vitest';
import { diffAgainstExpected, runLabForTest } from './testing.ts';
import type { LabDefinition, LabReport } from './types.ts';

export function labSuite(lab: LabDefinition, extra?: { healthy?: (report: LabReport) => void }): void {
  describe(`lab ${lab.name} --quick`, () => {
    it('passes every check when healthy', async () => {
      const report = await runLabForTest(lab, null);
      expect(report.checks.filter((c) => !c.passed)).toEqual([]);
      expect(report.passed).toBe(true);
      extra?.healthy?.(report);
    });

    for (const fault of lab.breaks) {
      it(`--break ${fault.name} fails exactly: ${fault.flips.join('; ')}`, async () => {
        const report = await runLabForTest(lab, fault.name);
        const diff = diffAgainstExpected(report, lab);
        expect(diff.unexpectedFailures).toEqual([]);
        expect(diff.unexpectedPasses).toEqual([]);
        expect(report.passed).toBe(false);
      });
    }
  });
}
