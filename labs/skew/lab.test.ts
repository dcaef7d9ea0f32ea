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
    expect(metrics.auc_served).toBe(metrics.auc_offline);
    expect(metrics.skew_rate_before_drift).toBe(0);
    expect(metrics.drift_first_flagged_day).toBe(4);
  },
});
