/**
 * The promotion gate and the validate step of a scheduled run (Q14, Q15), on data whose answer is
 * known by construction: scores are label * signal + standard normal noise (a larger signal ranks
 * better), slices are channels. A better challenger promotes, a worse one does not, a gain that lives
 * only in a slice below the threshold does not (and the same data promotes once that slice counts), a
 * week with too few rows or of one class is skipped with its reason, a holdout that overlaps training
 * rejects however good it looks, and the data gate blocks a unit change.
 */
import { createRng, generatePayments } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { WEEK_MS } from './clock.ts';
import type { FeedRow } from './data.ts';
import { DEFAULT_GATE, evaluateGate, type GateInput } from './gate.ts';
import { holdoutOverlap, validateWindow } from './validate.ts';

interface SliceSpec {
  name: string;
  n: number;
  champion: number;
  challenger: number;
  /** true: the challenger's noise is the champion's plus a hair (equal ranking, not identical). */
  sameNoise?: boolean;
}

/** Labels with a 10% fraud rate and the two models' scores, slice by slice. */
function holdout(seed: number, slices: SliceSpec[], overlap = 0): GateInput {
  const rng = createRng(seed);
  const labels: number[] = [];
  const champion: number[] = [];
  const challenger: number[] = [];
  const names: string[] = [];
  for (const s of slices) {
    for (let i = 0; i < s.n; i++) {
      const y = i % 10 === 0 ? 1 : 0;
      const noise = rng.normal();
      labels.push(y);
      names.push(s.name);
      champion.push(y * s.champion + noise);
      challenger.push(y * s.challenger + (s.sameNoise ? noise + 1e-3 * rng.normal() : rng.normal()));
    }
  }
  return { labels, champion, challenger, slices: names, overlap };
}

const big = (name: string, champion: number, challenger: number): SliceSpec => ({
  name,
  n: 900,
  champion,
  challenger,
});

describe('evaluateGate', () => {
  it('promotes a challenger that is better overall, with a CI of the delta above 0', () => {
    const g = evaluateGate(holdout(1, [big('app', 0.8, 1.6), big('web', 0.8, 1.6), big('pos', 0.8, 1.6)]));
    expect(g.blessed).toBe(true);
    expect(g.reason).toMatch(/^better than the champion: AUC/);
    expect(g.delta).toBeGreaterThan(0.1);
    expect(g.pValue).toBeLessThan(DEFAULT_GATE.alpha);
    expect(g.ci?.[0]).toBeGreaterThan(0);
    expect(g.slices.map((s) => [s.slice, s.n, s.counts])).toEqual([
      ['app', 900, true],
      ['pos', 900, true],
      ['web', 900, true],
    ]);
  });

  it('does not promote a worse challenger', () => {
    const input = holdout(2, [big('app', 1.6, 0.8), big('web', 1.6, 0.8), big('pos', 1.6, 0.8)]);
    const g = evaluateGate(input);
    expect(g.blessed).toBe(false);
    expect(g.delta).toBeLessThan(0);
    expect(g.ci?.[1]).toBeLessThan(0);
    // Every slice drops, so the slice guard speaks first; without it, the change threshold refuses.
    expect(g.reason).toMatch(/^slice app \(n=900\) drops/);
    const changeOnly = evaluateGate(input, { maxSliceDrop: 1 });
    expect(changeOnly.blessed).toBe(false);
    expect(changeOnly.reason).toMatch(/^no significant gain: AUC 0\.\d{3} vs champion 0\.\d{3} \(delta -/);
    expect(changeOnly.pValue).toBeGreaterThan(0.5);
  });

  it('does not promote a gain that lives only in a slice smaller than minSliceRows', () => {
    // Equal ranking on two large channels; on 150 'pos' rows the champion is blind and the challenger sharp.
    const input = holdout(3, [
      { name: 'app', n: 900, champion: 1.5, challenger: 1.5, sameNoise: true },
      { name: 'web', n: 900, champion: 1.5, challenger: 1.5, sameNoise: true },
      { name: 'pos', n: 150, champion: 0, challenger: 4 },
    ]);
    const g = evaluateGate(input, { minSliceRows: 200 });
    // Over all rows the gain is significant: only the slice rule stops it.
    expect(g.pValue).toBeLessThan(DEFAULT_GATE.alpha);
    expect(g.blessed).toBe(false);
    expect(g.reason).toMatch(
      /^the gain comes from slices below 200 rows \(pos \(n=150\)\): without them delta/,
    );
    expect(g.slices.find((s) => s.slice === 'pos')?.counts).toBe(false);
    // The same holdout with a threshold the slice reaches: the gain counts and promotes.
    expect(evaluateGate(input, { minSliceRows: 100 }).blessed).toBe(true);
  });

  it('does not promote a challenger that sacrifices a large slice for the others', () => {
    const g = evaluateGate(holdout(4, [big('app', 0.5, 2.5), big('web', 0.5, 2.5), big('pos', 2, 0.5)]));
    expect(g.pValue).toBeLessThan(DEFAULT_GATE.alpha);
    expect(g.blessed).toBe(false);
    expect(g.reason).toMatch(/^slice pos \(n=900\) drops 0\.\d{3} AUC/);
  });

  it('rejects any holdout that overlaps training, however good the challenger looks', () => {
    const input = holdout(5, [big('app', 0.8, 4), big('web', 0.8, 4)], 37);
    const g = evaluateGate(input);
    expect(g.challengerAuc).toBeGreaterThan(0.99);
    expect(g.blessed).toBe(false);
    expect(g.reason).toMatch(/^holdout overlaps training by 37 rows: its AUC 0\.99\d is no evidence$/);
    expect(evaluateGate({ ...input, overlap: 0 }).blessed).toBe(true);
  });

  it('promotes a first model on the value threshold alone, and refuses one below it', () => {
    const first = { ...holdout(6, [big('app', 0, 1.5)]), champion: null };
    expect(evaluateGate(first)).toMatchObject({ blessed: true, championAuc: null });
    expect(evaluateGate(first, { minAuc: 0.99 }).reason).toMatch(
      /^AUC 0\.\d{3} below the value threshold 0.99$/,
    );
  });
});

/** A week of feed rows as pullWindow returns them (no customer aggregates: null, as outside the ttl). */
function week(seed: number, weekIndex: number, size: number): FeedRow[] {
  const start = Date.UTC(2025, 0, 6) + weekIndex * WEEK_MS;
  return generatePayments({ seed: seed * 100 + weekIndex, size, start, durationMs: WEEK_MS }).map((p) => ({
    eventId: p.eventId,
    customerId: p.customerId,
    timestamp: p.timestamp,
    amount: p.amount,
    hourOfDay: p.hourOfDay,
    deviceAgeDays: p.deviceAgeDays,
    distanceKm: p.distanceKm,
    merchantCategory: p.merchantCategory,
    channel: p.channel,
    label: p.label,
    activity: { txn_count_7d: null, avg_amount_7d: null, disputes_30d: null },
    week: weekIndex,
  }));
}

describe('validateWindow', () => {
  const limits = { minRows: 300, minPerClass: 20 };
  const train = [...week(1, 0, 2000), ...week(1, 1, 2000)];

  it('lets a full week through, the data gate run on it', () => {
    const v = validateWindow(train, week(1, 2, 1200), 'holdout week 2', limits);
    expect(v.problem).toBeNull();
    expect(v.expectations).toBeGreaterThan(10);
  });

  it('skips a week with too few rows, or none, with the reason', () => {
    expect(validateWindow(train, week(1, 2, 120), 'holdout week 2', limits).problem).toBe(
      'holdout week 2 has 120 rows < 300 required',
    );
    expect(validateWindow(train, [], 'holdout week 2', limits).problem).toBe(
      'holdout week 2 has 0 rows < 300 required',
    );
    expect(validateWindow([], week(1, 2, 1200), 'holdout week 2', limits).problem).toBe(
      'the training window has 0 rows < 300 required',
    );
  });

  it('skips a week without enough of a class', () => {
    const legit = week(1, 2, 1200).filter((r) => r.label === 0);
    expect(validateWindow(train, legit, 'holdout week 2', limits).problem).toBe(
      `holdout week 2 has 0 frauds and ${legit.length} legit rows; 20 of each required`,
    );
  });

  it("blocks on the data gate's range expectation (amounts in cents), naming the column", () => {
    const cents = week(1, 2, 1200).map((r) => ({ ...r, amount: r.amount === null ? null : r.amount * 100 }));
    const v = validateWindow(train, cents, 'holdout week 2', limits);
    expect(v.problem).toMatch(/^data gate on holdout week 2: range amount: \d+\.\d% of values outside/);
    // The distribution finding on the same column is recorded as drift, not as a second blocking reason.
    expect(v.drifted).toContain('amount');
    expect(v.problem).not.toMatch(/distribution/);
  });

  it('counts holdout rows that are also training rows', () => {
    const holdoutRows = week(1, 2, 1200);
    expect(holdoutOverlap(train, holdoutRows)).toBe(0);
    expect(holdoutOverlap([...train, ...holdoutRows.slice(0, 55)], holdoutRows)).toBe(55);
  });
});
