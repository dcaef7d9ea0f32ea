/**
 * The reindex lab with --quick, healthy and under every break (against DATABASE_URL when set, else
 * the embedded Postgres). Healthy, compaction must have shrunk the graph.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy: ({ metrics }) =>
    expect(Number(metrics.graphNodesAfter)).toBeLessThan(Number(metrics.graphNodesBefore)),
});
