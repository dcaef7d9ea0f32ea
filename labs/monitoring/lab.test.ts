/**
 * The monitoring lab with --quick, healthy and under every break: each break flips exactly the checks
 * it names, and the healthy run's label-free estimate stays within 0.03 AUC of the realized one.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: (report) => {
    expect(report.metrics.cbpeAucMae).toBeLessThanOrEqual(0.03);
    expect(report.metrics.lost).toBe(0);
    expect(report.metrics.doubled).toBe(0);
  },
});
