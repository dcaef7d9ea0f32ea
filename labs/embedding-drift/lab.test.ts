/**
 * The embedding-drift lab with --quick, healthy and under every break (against DATABASE_URL when set, else
 * the embedded Postgres). Healthy, the cutover must not lose recall against a clean v2 build.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) =>
    expect(Number(metrics.recallAfterCutover)).toBeGreaterThanOrEqual(Number(metrics.recallV2Clean) - 0.02),
});
