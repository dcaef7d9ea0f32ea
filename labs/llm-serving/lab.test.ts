/**
 * The llm-serving lab with --quick, healthy and under every break (no services: a pure simulation plus
 * a loopback SSE stream). Healthy, paged continuous batching must beat static by the 2× the check names.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) => expect(Number(metrics.pagedOverStatic)).toBeGreaterThanOrEqual(2),
});
