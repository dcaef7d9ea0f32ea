/**
 * The feature-store lab with --quick, healthy and under every break (runs against DATABASE_URL /
 * REDIS_URL when set, else embedded). Healthy, the online store must not be empty-handed.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => expect(metrics.consistencyMismatches).toBe(0),
});
