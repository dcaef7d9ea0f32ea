/**
 * The champion-vs-challenger verdict (Q15, Q29): the decision rule, the input it refuses, and the
 * false-promotion rate under the null measured over many seeds, at a fixed sample size and with
 * peeking. The statistics under it are tested against numpy/scipy in @mlops-lab/evaluation.
 */
import { mulberry32 } from '@mlops-lab/datagen';
import { EvaluationInputError, type PairedSample, simulatePairedScores, wilson } from '@mlops-lab/evaluation';
import { describe, expect, it } from 'vitest';
import { falsePromotionRate, promotionRate, verdict } from './verdict.ts';

/** Two models of separation sa, sb (score = s * label + unit noise, noise correlation 0.5). */
const makeSample = (seed: number, n: number, sa: number, sb: number, prevalence = 0.2): PairedSample =>
  simulatePairedScores(mulberry32(seed), {
    n,
    prevalence,
    signal: sa,
    challengerSignal: sb,
    sharedNoise: 0.5,
  });

describe('verdict', () => {
  const better = makeSample(4, 3000, 1, 1.5);

  it('promotes a clearly better challenger with numbers and sample sizes in the reason', () => {
    const v = verdict(better, { resamples: 500 });
    expect(v.decision).toBe('promote');
    expect(v.pValue).toBeLessThan(0.05);
    expect(v.ci[0]).toBeGreaterThan(0);
    expect(v.reason).toContain(`n=3000 labelled requests (${v.positives} positives`);
    expect(v.reason).toContain(v.challenger.toFixed(4));
  });

  it('keeps an equally good challenger', () => {
    const v = verdict(makeSample(5, 3000, 1, 1), { resamples: 200 });
    expect(v.decision).toBe('keep');
    expect(v.reason).toMatch(/^keep: no significant gain/);
  });

  it('needs more data below minLabels or with fewer than minPerClass positives, and says which', () => {
    const small = makeSample(6, 400, 1, 2);
    const v = verdict(small);
    expect(v.decision).toBe('need-more-data');
    expect(v.reason).toContain('400 labelled requests < 500 required');
    expect(Number.isNaN(v.pValue)).toBe(true);
    const rare = makeSample(7, 1000, 1, 2, 0.01);
    const w = verdict(rare);
    expect(w.decision).toBe('need-more-data');
    expect(w.reason).toContain(`${w.positives} positives < 20 required`);
  });

  it('a failed guardrail keeps the champion whatever the AUC says', () => {
    const v = verdict(better, {
      resamples: 100,
      guardrails: {
        p99LatencyMs: { champion: 20, challenger: 45, maxRatio: 1.5 },
        errorRate: { champion: 0.001, challenger: 0.002, maxIncrease: 0.005 },
      },
    });
    expect(v.decision).toBe('keep');
    expect(v.guardrails.map((g) => [g.name, g.ok])).toEqual([
      ['p99-latency', false],
      ['error-rate', true],
    ]);
    expect(v.reason).toContain('guardrail p99-latency failed (p99 latency 45.0 ms vs champion 20.0 ms');
  });

  it('minDelta is the null boundary of the test: a real but small gain is kept', () => {
    const v = verdict(better, { resamples: 0 });
    expect(v.decision).toBe('promote');
    const w = verdict(better, { resamples: 0, minDelta: v.delta + 0.01 });
    expect(w.decision).toBe('keep');
    expect(w.pValue).toBeGreaterThan(0.5);
  });

  it('refuses unpaired or invalid input with a typed error, before any decision', () => {
    expect(() => verdict({ champion: [1, 2], challenger: [1], labels: [0, 1] })).toThrow(/must be equal/);
    expect(() => verdict({ champion: [1, 2], challenger: [1, 2], labels: [0, 2] })).toThrow(
      'verdict: label 1 is 2; labels must be 0 or 1',
    );
    expect(() => verdict({ champion: [1, Number.NaN], challenger: [1, 2], labels: [0, 1] })).toThrow(
      /finite/,
    );
    // A label 2 on a sample big enough to decide is refused too, not counted as a negative.
    const labels = Array.from(better.labels);
    labels[10] = 2;
    expect(() => verdict({ ...better, labels })).toThrow(EvaluationInputError);
    expect(() => verdict(better, { minPerClass: 1 })).toThrow(/minPerClass 1 must be >= 2/);
  });
});

describe('false-promotion rate under the null, measured over many seeds', () => {
  const alpha = 0.05;
  const trials = 400;
  const bound = alpha + 3 * Math.sqrt((alpha * (1 - alpha)) / trials);

  it('fixed planned sample: <= alpha (+3 binomial SE); peeking every 100 labels: clearly above', () => {
    const fixed = falsePromotionRate({ trials, n: 2000, seed: 11 });
    const peek = falsePromotionRate({ trials, n: 2000, seed: 11, peekEvery: 100 });
    const f3 = (x: number) => x.toFixed(3);
    const show = (r: typeof fixed) =>
      `${r.promotions}/${r.trials} = ${f3(r.rate)} (95% CI ${f3(r.ci[0])}-${f3(r.ci[1])})`;
    console.log(
      `false promotions, fixed n=2000: ${show(fixed)}; peeking (${peek.looks} looks): ${show(peek)}`,
    );
    expect(fixed.rate).toBeLessThanOrEqual(bound);
    expect(peek.rate).toBeGreaterThan(bound);
    expect(peek.rate).toBeGreaterThan(fixed.rate);
    expect(peek.meanLabelsAtPromotion).toBeLessThan(2000);
    expect(fixed.ci).toEqual(wilson(fixed.promotions, fixed.trials));
    expect(fixed.ci[0]).toBeLessThan(fixed.rate);
    expect(fixed.ci[1]).toBeGreaterThan(fixed.rate);
  });

  it('power: a clearly better challenger is promoted in most seeds', () => {
    const r = promotionRate({ trials: 100, n: 2000, challengerSignal: 1.3, seed: 12 });
    console.log(`promotions with a better challenger (signal 1.3 vs 1): ${r.promotions}/${r.trials}`);
    expect(r.rate).toBeGreaterThan(0.8);
  });
});
