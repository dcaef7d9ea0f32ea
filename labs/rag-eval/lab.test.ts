/**
 * The rag-eval lab with --quick, healthy and under every break. It needs no services, so it runs
 * the same with or without DATABASE_URL / REDIS_URL. Healthy, every answer must be faithful.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => expect(Number(metrics.faithfulness)).toBe(1),
});
