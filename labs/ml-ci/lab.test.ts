/**
 * The ml-ci lab with --quick, healthy and under every break (DATABASE_URL when set, else embedded).
 * Healthy, the good change passes with exit 0.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => expect(metrics.exitCode).toBe(0),
});
