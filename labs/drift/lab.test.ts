/**
 * The drift lab with --quick: healthy, every check passes; under each fault, exactly the checks
 * the fault declares fail. Runs against DATABASE_URL / REDIS_URL when set, else embedded.
 */
import { diffAgainstExpected, runLabForTest } from '@mlops-lab/labkit';
import { describe, expect, it } from 'vitest';
import lab from './lab.ts';

describe('lab drift --quick', () => {
  it('passes every check when healthy', async () => {
    const report = await runLabForTest(lab, null);
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.passed).toBe(true);
    expect(report.metrics.season_detected_after_weeks).toBeLessThanOrEqual(2);
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
