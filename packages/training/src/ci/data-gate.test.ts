/**
 * The data gate on the payments world: a clean window of the reference world passes every
 * expectation; each seeded fault fails the expectation that names it, and only that kind.
 */
import { generatePayments, mixSeed, type PaymentEvent } from '@mlops-lab/datagen';
import { buildProfile, type Profile } from '@mlops-lab/drift';
import { describe, expect, it } from 'vitest';
import { dataGate } from './data-gate.ts';
import { PAYMENTS_PROFILE_SCHEMA } from './payments-source.ts';

const DAY = 86_400_000;
const window = (seed: number, size: number, drift?: Parameters<typeof generatePayments>[0]['drift']) =>
  generatePayments({ seed: mixSeed(seed, 'w'), size, start: 0, durationMs: 7 * DAY, drift });
const asRows = (events: PaymentEvent[]) => events as unknown as Record<string, unknown>[];
const reference: Profile = buildProfile(window(1, 8000), PAYMENTS_PROFILE_SCHEMA, {
  createdAt: new Date(0),
});
const gate = (rows: Record<string, unknown>[], extraFeatures?: string[]) =>
  dataGate(rows, { profile: reference, label: 'label', extraFeatures });
const failed = (r: ReturnType<typeof gate>) =>
  r.findings.filter((f) => !f.passed).map((f) => `${f.expectation} ${f.subject}`);

describe('dataGate', () => {
  it('passes a clean window of the same world', () => {
    const r = gate(asRows(window(2, 4000)));
    expect(r.reasons).toEqual([]);
    expect(r.passed).toBe(true);
  });

  it('names a renamed column, with the name it now has', () => {
    const rows = asRows(window(3, 2000)).map(({ amount, ...rest }) => ({ ...rest, amount_usd: amount }));
    const r = gate(rows);
    expect(failed(r)).toEqual(['schema amount']);
    expect(r.reasons[0]).toMatch(/amount: missing in 2000\/2000 rows, expected number .*amount_usd/);
  });

  it('names a column whose type changed upstream', () => {
    const rows = asRows(window(3, 2000)).map((e) => ({
      ...e,
      amount: e.amount === null ? null : String(e.amount),
    }));
    expect(gate(rows).reasons[0]).toMatch(
      /^schema amount: string in \d+\/2000 rows, expected number or null$/,
    );
  });

  it('catches a x100 unit change by range, a null burst by null rate, a new category by categories', () => {
    expect(failed(gate(asRows(window(4, 3000, { unitChange: { feature: 'amount', factor: 100 } }))))).toEqual(
      expect.arrayContaining(['range amount', 'distribution amount']),
    );
    expect(failed(gate(asRows(window(4, 3000, { nullFlood: { distanceKm: 0.3 } }))))).toEqual(
      expect.arrayContaining(['null rate distanceKm']),
    );
    expect(failed(gate(asRows(window(4, 3000, { newCategory: { value: 'crypto', share: 0.1 } }))))).toEqual(
      expect.arrayContaining(['categories merchantCategory']),
    );
  });

  it('flags a feature computed from the label as leakage, and a plausible one not', () => {
    const events = window(5, 3000);
    const rows = events.map((e, i) => ({
      ...e,
      disputes_next_30d: e.label + (i % 10 === 0 ? 1 : 0),
      noise: (i * 7919) % 101,
    }));
    const r = gate(rows, ['disputes_next_30d', 'noise']);
    expect(failed(r)).toEqual(['leakage disputes_next_30d']);
    expect(r.reasons[0]).toMatch(/single-feature AUC 0\.9\d\d, plausible within \[0\.10, 0\.90\]/);
  });

  it('refuses an empty dataset before any work', () => {
    expect(() => gate([])).toThrow(/no rows/);
  });
});
