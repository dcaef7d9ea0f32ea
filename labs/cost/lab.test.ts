/**
 * The cost lab with --quick, healthy and under every break (runs against DATABASE_URL / REDIS_URL when
 * set, else embedded). Healthy, the levers must cut the rows that reach the model.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => expect(Number(metrics.modelRowsPerRequestAllOn)).toBeLessThan(0.5),
});
