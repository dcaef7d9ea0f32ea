/**
 * The lifecycle lab with --quick (runs against DATABASE_URL / REDIS_URL when set, else embedded):
 * labkit's standard suite (healthy passes, each injected fault armed as a mystery fails exactly its
 * checks, labels as healthy), plus: healthy, nothing is noticed and model code is a measured, small
 * share of the system; under each fault the first stage to notice is the one breaks.ts names; a
 * fault of another lab this run has no stage for is refused before any work.
 */
import { LabUsageError, runLab } from '@mlops-lab/labkit';
import { labSuite } from '@mlops-lab/labkit/vitest';
import { describe, expect, it } from 'vitest';
import { INJECTED } from './breaks.ts';
import lab from './lab.ts';

labSuite(lab, {
  healthy(report) {
    expect(report.metrics.firstNotice).toBe('none');
    const share = report.metrics.modelCodeShare as number;
    expect(share).toBeGreaterThan(0);
    expect(share).toBeLessThan(0.5);
  },
  broken(report, fault) {
    expect(report.metrics.firstNotice).toBe(INJECTED[fault].noticedBy);
  },
});

describe('lab lifecycle: faults it has no stage for', () => {
  it('refuses one before any service starts', async () => {
    const acquire = () => Promise.reject(new Error('must not start services'));
    await expect(runLab(lab, { fault: 'skew:default-fill', silent: true, acquire })).rejects.toThrow(
      LabUsageError,
    );
    await expect(runLab(lab, { fault: 'skew:default-fill', silent: true, acquire })).rejects.toThrow(
      /valid faults: data-versioning:mutated-history/,
    );
  });
});
