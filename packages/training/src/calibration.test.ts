/** Expected calibration error (Q16) on cases whose value is known by hand. */
import { describe, expect, it } from 'vitest';
import { expectedCalibrationError } from './calibration.ts';

describe('expectedCalibrationError', () => {
  it('is 0 when each bin’s mean score equals its positive rate, and |p - y| for one bin', () => {
    expect(expectedCalibrationError([0.25, 0.25, 0.25, 0.25], [1, 0, 0, 0])).toBeCloseTo(0, 12);
    expect(expectedCalibrationError([0.9, 0.9], [0, 0])).toBeCloseTo(0.9, 12);
    expect(expectedCalibrationError([0.05, 0.95], [0, 1])).toBeCloseTo(0.05, 12);
  });
});
