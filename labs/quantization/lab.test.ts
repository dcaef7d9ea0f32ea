/**
 * The quantization lab with --quick, healthy and under its break, against DATABASE_URL or embedded
 * Postgres (the registry every version is loaded from). Healthy: every check passes and the files
 * shrink ~4x / ~8x. Under `per-tensor-outlier` exactly its check fails, and per tensor moves the
 * scores at least 5x more than per channel (the toy-scale version of LLM.int8()'s outlier effect),
 * while per channel keeps the AUC. The break's labels (numbers out) are the healthy run's.
 */
import {
  diffAgainstExpected,
  labelsAsRead,
  type NarrationLabel,
  NO_SURPRISES,
  runRecorded,
} from '@mlops-lab/labkit';
import { describe, expect, it } from 'vitest';
import lab from './lab.ts';

describe('lab quantization --quick', () => {
  let healthy: NarrationLabel[] | undefined;
  it('passes every check when healthy; int8 ~4x, int4 ~8x smaller', async () => {
    const { report, labels } = await runRecorded(lab, null);
    healthy = labels;
    expect(report.checks.filter((c) => !c.passed)).toEqual([]);
    expect(Number(report.metrics.int8ChannelWeightRatio)).toBeGreaterThanOrEqual(3.9);
    expect(Number(report.metrics.int4WeightRatio)).toBeGreaterThanOrEqual(7.5);
    expect(Number(report.metrics.perTensorOverPerChannelLoss)).toBeLessThan(5);
  });

  it('--break per-tensor-outlier flips exactly its check; per tensor loses 5x+ more than per channel', async () => {
    const { report, labels } = await runRecorded(lab, 'per-tensor-outlier');
    expect(diffAgainstExpected(report, lab)).toEqual(NO_SURPRISES);
    healthy ??= (await runRecorded(lab, null)).labels;
    expect(labelsAsRead(labels, 'per-tensor-outlier')).toEqual(labelsAsRead(healthy, 'per-tensor-outlier'));
    expect(report.passed).toBe(false);
    expect(Number(report.metrics.perTensorOverPerChannelLoss)).toBeGreaterThanOrEqual(5);
    expect(Math.abs(Number(report.metrics.int8ChannelAucDelta))).toBeLessThanOrEqual(0.005);
  });
});
