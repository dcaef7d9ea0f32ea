/**
 * The skew lab with --quick, healthy and under every break (runs against DATABASE_URL / REDIS_URL
 * when set, else embedded). Healthy, served and offline scores are the same numbers, so the two
 * AUCs must be exactly equal, and the drift detector must first see the holiday rush on its first day.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => {
    expect(metrics.aucServed).toBe(metrics.aucOffline);
    expect(metrics.skewRateBeforeDrift).toBe(0);
    expect(metrics.driftFirstFlaggedDay).toBe(4);
  },
});
