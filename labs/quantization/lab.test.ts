/**
 * The quantization lab with --quick, against DATABASE_URL or embedded Postgres (the registry every
 * version is loaded from): labkit's standard suite, plus: healthy, the files shrink ~4x / ~8x; under
 * `per-tensor-outlier` per tensor moves the scores at least 5x more than per channel (the toy-scale
 * version of LLM.int8()'s outlier effect), while per channel keeps the AUC.
 */
import { labSuite } from '@mlops-lab/labkit/vitest';
import { expect } from 'vitest';
import lab from './lab.ts';

labSuite(lab, {
  healthy(report) {
    expect(Number(report.metrics.int8ChannelWeightRatio)).toBeGreaterThanOrEqual(3.9);
    expect(Number(report.metrics.int4WeightRatio)).toBeGreaterThanOrEqual(7.5);
    expect(Number(report.metrics.perTensorOverPerChannelLoss)).toBeLessThan(5);
  },
  broken(report) {
    expect(Number(report.metrics.perTensorOverPerChannelLoss)).toBeGreaterThanOrEqual(5);
    expect(Math.abs(Number(report.metrics.int8ChannelAucDelta))).toBeLessThanOrEqual(0.005);
  },
});
