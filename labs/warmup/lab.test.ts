/**
 * The warmup lab with --quick, healthy and under every break, against DATABASE_URL or embedded
 * Postgres (the registry the servers load from). Healthy, the ready-at-start server must show the
 * fault the warm-aware one avoids: requests that waited for loading and cold-shape batches.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => {
    expect(metrics.warmAwareSentBeforeWarm).toBe(0);
    expect(Number(metrics.readyAtStartSentBeforeWarm)).toBeGreaterThan(0);
    expect(Number(metrics.readyAtStartColdShapeBatches)).toBeGreaterThan(0);
  },
});
