/**
 * The vector-search lab with --quick, healthy and under every break (against DATABASE_URL when set,
 * where pgvector may be missing and its step is skipped; else the embedded PGlite with pgvector).
 * Healthy, the index must pay for itself within the measured runs' query counts.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => expect(Number(metrics.hnswSpeedupLargest)).toBeGreaterThan(2),
});
