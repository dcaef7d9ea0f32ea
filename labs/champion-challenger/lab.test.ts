/**
 * The champion-challenger lab with --quick, healthy and under every break, on the services the
 * environment gives (DATABASE_URL / REDIS_URL, else embedded). Healthy: the shadow verdict promotes,
 * the canary on the slow replica rolls back, and the one on the production replica promotes.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => {
    expect(metrics.verdict1).toBe('promote');
    expect(metrics.canary1).toBe('rolled-back');
    expect(metrics.canary2).toBe('promoted');
    expect(metrics.verdict2).toBe('keep');
    expect(Number(metrics.falsePromotionRate)).toBeLessThan(0.1);
  },
});
