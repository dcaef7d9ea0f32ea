/**
 * The drift lab with --quick, healthy and under every break (runs against DATABASE_URL / REDIS_URL
 * when set, else embedded). The season must be caught within the deadline the check names.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: (report) => expect(report.metrics.seasonDetectedAfterWeeks).toBeLessThanOrEqual(2),
});
