/**
 * The data-versioning lab with --quick, healthy and under every break (DATABASE_URL when set, else
 * embedded). Healthy, the retrain's artifact is the first one's.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => expect(metrics.artifactRetrain).toBe(metrics.artifactFirst),
});
