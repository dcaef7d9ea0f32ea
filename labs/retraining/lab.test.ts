/**
 * The retraining lab with --quick, healthy and under every break (against DATABASE_URL / REDIS_URL when
 * set, else embedded): each break flips exactly its checks; healthy promotes at least twice.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: (report) => expect(report.metrics.promotions).toBeGreaterThanOrEqual(2),
});
