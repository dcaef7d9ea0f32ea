/**
 * The serving lab with --quick, healthy and under every break (runs against DATABASE_URL / REDIS_URL
 * when set, else embedded). Healthy, the flood really contained refused requests.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: (report) => expect(report.metrics.malformedRefused).toBeGreaterThan(100),
});
