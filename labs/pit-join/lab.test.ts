/**
 * The pit-join lab with --quick, healthy and under every break (runs against DATABASE_URL when set,
 * else embedded). Healthy, the leaky model's offline AUC must beat its production AUC.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) =>
    expect(Number(metrics.naiveOfflineAuc)).toBeGreaterThan(Number(metrics.naiveProductionAuc)),
});
