/**
 * The versioning lab with --quick, healthy and under every break, on the services the environment
 * gives (DATABASE_URL / REDIS_URL, else embedded). Healthy, the measured v3 share is near 5%.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => {
    expect(Number(metrics.v3Share)).toBeGreaterThan(0.02);
    expect(Number(metrics.v3Share)).toBeLessThan(0.08);
  },
});
