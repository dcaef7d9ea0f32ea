import { describe, expect, it } from 'vitest';
import { fakeLab } from './fakes.ts';
import { diffAgainstExpected, NO_SURPRISES, runLabForTest } from './testing.ts';
import type { LabReport } from './types.ts';

describe('diffAgainstExpected', () => {
  const lab = fakeLab();

  it('finds no surprises when a lab behaves as designed, healthy and under every break', async () => {
    expect(diffAgainstExpected(await runLabForTest(lab), lab)).toEqual(NO_SURPRISES);
    for (const br of lab.breaks) {
      expect(diffAgainstExpected(await runLabForTest(lab, br.name), lab)).toEqual(NO_SURPRISES);
    }
  });

  it('lists unexpected failures, unexpected passes and flips that name no check', () => {
    const report: LabReport = {
      lab: 'fake',
      break: 'slow-cache',
      passed: false,
      checks: [
        { name: 'latency under budget', passed: true, detail: '' },
        { name: 'offline AUC is honest', passed: false, detail: '' },
      ],
      metrics: {},
    };
    expect(diffAgainstExpected(report, lab)).toEqual({
      unexpectedFailures: ['offline AUC is honest'],
      unexpectedPasses: ['latency under budget'],
      missing: [],
    });
    const renamed = fakeLab({ breaks: [{ ...lab.breaks[0], flips: ['latency within budget'] }] });
    expect(diffAgainstExpected({ ...report, checks: [] }, renamed).missing).toEqual([
      'latency within budget',
    ]);
  });

  it('refuses a report whose break the lab does not define', () => {
    const report: LabReport = { lab: 'fake', break: 'mystery', passed: false, checks: [], metrics: {} };
    expect(() => diffAgainstExpected(report, lab)).toThrow(/does not define/);
  });
});
