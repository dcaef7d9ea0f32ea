/**
 * The lifecycle lab with --quick (runs against DATABASE_URL / REDIS_URL when set, else embedded):
 * healthy, every check passes and model code is a measured, small share of the system; under each
 * injected fault exactly its checks fail and the first stage to notice is the one breaks.ts names;
 * a fault of another lab this run has no stage for is refused before any work. A break's labels
 * (steps, tables, checks; numbers out) are the healthy run's: a mystery run never names its fault.
 */
import {
  diffAgainstExpected,
  LabUsageError,
  labelsAsRead,
  type NarrationLabel,
  runLab,
  runRecorded,
} from '@mlops-lab/labkit';
import { describe, expect, it } from 'vitest';
import { INJECTED } from './breaks.ts';
import lab from './lab.ts';

describe('lab lifecycle --quick', () => {
  let healthy: NarrationLabel[] | undefined;
  it('passes every check when healthy; nothing is noticed; model code share measured', async () => {
    const { report, labels } = await runRecorded(lab, null);
    healthy = labels;
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(report.metrics.firstNotice).toBe('none');
    const share = report.metrics.modelCodeShare as number;
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(0.5);
  });

  for (const fault of lab.breaks) {
    it(`--break ${fault.name}: exactly its checks fail; ${INJECTED[fault.name].noticedBy} notices first`, async () => {
      const { report, labels } = await runRecorded(lab, fault.name);
      const diff = diffAgainstExpected(report, lab);
      expect(diff.unexpectedFailures).toEqual([]);
      expect(diff.unexpectedPasses).toEqual([]);
      expect(report.metrics.firstNotice).toBe(INJECTED[fault.name].noticedBy);
      healthy ??= (await runRecorded(lab, null)).labels;
      expect(labelsAsRead(labels, fault.name)).toEqual(labelsAsRead(healthy, fault.name));
    });
  }

  it('refuses a fault it has no stage for, before any service starts', async () => {
    const acquire = () => Promise.reject(new Error('must not start services'));
    await expect(runLab(lab, { fault: 'skew:default-fill', silent: true, acquire })).rejects.toThrow(
      LabUsageError,
    );
    await expect(runLab(lab, { fault: 'skew:default-fill', silent: true, acquire })).rejects.toThrow(
      /valid faults: data-versioning:mutated-history/,
    );
  });
});
