/**
 * The champion-vs-challenger verdict (Q15, Q29): AUC and DeLong's test against numpy/scipy golden values
 * (golden/make_golden.py), the paired bootstrap, the decision rule, and the false-promotion rate under
 * the null measured over many seeds, at a fixed sample size and with peeking.
 */
import { readFileSync } from 'node:fs';
import { mulberry32 } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import {
  auc,
  bootstrapAucDeltas,
  delongTest,
  midranks,
  normalSf,
  type PairedSample,
  pairedBootstrapAucDelta,
} from './delong.ts';
import { falsePromotionRate, promotionRate, verdict, wilson } from './verdict.ts';

interface GoldenCase {
  name: string;
  margin: number;
  input: { champion: number[]; challenger: number[]; labels: number[] };
  expected: {
    champion: number;
    challenger: number;
    delta: number;
    se: number;
    z: number;
    p: number;
    positives: number;
    negatives: number;
  };
}
const golden = JSON.parse(readFileSync(new URL('../golden/delong.json', import.meta.url), 'utf8')) as {
  cases: GoldenCase[];
  bootstrap: { case: number; seed: number; deltas: number[] };
};

const rel = (ours: number, ref: number) => Math.abs(ours - ref) / Math.max(Math.abs(ref), 1e-15);

/** Two models of separation sa, sb (score = s * label + unit noise, noise correlation 0.5). */
function makeSample(seed: number, n: number, sa: number, sb: number, prevalence = 0.2): PairedSample {
  const rnd = mulberry32(seed);
  const g = () => Math.sqrt(-2 * Math.log(1 - rnd())) * Math.cos(2 * Math.PI * rnd());
  const labels = new Uint8Array(n);
  const champion = new Float64Array(n);
  const challenger = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const y = rnd() < prevalence ? 1 : 0;
    const c = Math.SQRT1_2 * g();
    labels[i] = y;
    champion[i] = sa * y + c + Math.SQRT1_2 * g();
    challenger[i] = sb * y + c + Math.SQRT1_2 * g();
  }
  return { champion, challenger, labels };
}

describe('AUC and DeLong match numpy/scipy (mannwhitneyu, pairwise structural components, norm.sf)', () => {
  it.each(golden.cases.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const r = delongTest(c.input, c.margin);
    const e = c.expected;
    for (const k of ['champion', 'challenger', 'delta', 'se', 'z', 'p'] as const) {
      const ours = k === 'p' ? r.pOneSided : r[k];
      expect(rel(ours, e[k]), `${k}: ours ${ours} scipy ${e[k]}`).toBeLessThan(1e-9);
    }
    expect([r.positives, r.negatives]).toEqual([e.positives, e.negatives]);
    expect(rel(auc(c.input.champion, c.input.labels), e.champion)).toBeLessThan(1e-12);
  });

  it('bootstrap replicates equal mannwhitneyu AUCs of the explicitly resampled arrays', () => {
    const { case: i, seed, deltas } = golden.bootstrap;
    const ours = bootstrapAucDeltas(golden.cases[i].input, deltas.length, seed);
    deltas.forEach((d, k) => {
      expect(Math.abs(ours[k] - d)).toBeLessThan(1e-12);
    });
  });
});

describe('AUC basics', () => {
  it('midranks average tied ranks; AUC is 1, 0 and 1/2 for perfect, reversed and constant scores', () => {
    expect(Array.from(midranks([3, 1, 3, 2, 3]))).toEqual([4, 1, 4, 2, 4]);
    const labels = [0, 0, 1, 1];
    expect(auc([1, 2, 3, 4], labels)).toBe(1);
    expect(auc([4, 3, 2, 1], labels)).toBe(0);
    expect(auc([5, 5, 5, 5], labels)).toBe(0.5);
    expect(auc([1, 2, 2, 4], labels)).toBe(0.875); // one tied positive/negative pair counts 1/2
  });

  it('normalSf is the standard normal tail', () => {
    expect(normalSf(0)).toBe(0.5);
    expect(rel(normalSf(1.6448536269514722), 0.05)).toBeLessThan(1e-12);
    expect(rel(normalSf(-1.959963984540054), 0.975)).toBeLessThan(1e-12);
  });

  it('identical models: delta 0, se 0, p 1 (nothing to promote)', () => {
    const s = makeSample(1, 300, 1, 1);
    const r = delongTest({ champion: s.champion, challenger: s.champion, labels: s.labels });
    expect([r.delta, r.se, r.pOneSided]).toEqual([0, 0, 1]);
  });
});

describe('paired bootstrap', () => {
  it('is deterministic per seed, brackets the point delta and agrees with the DeLong standard error', () => {
    const s = makeSample(2, 5000, 1, 1.1);
    const a = pairedBootstrapAucDelta(s, 1000, 5);
    expect(pairedBootstrapAucDelta(s, 1000, 5)).toEqual(a);
    expect(a.ci[0]).toBeLessThan(a.delta);
    expect(a.ci[1]).toBeGreaterThan(a.delta);
    const d = delongTest(s);
    expect(Math.abs(a.delta - d.delta)).toBeLessThan(1e-12);
    // A 90% percentile interval is about 2 * 1.645 bootstrap standard deviations wide.
    const sdFromCi = (a.ci[1] - a.ci[0]) / (2 * 1.6448536269514722);
    expect(sdFromCi / d.se).toBeGreaterThan(0.85);
    expect(sdFromCi / d.se).toBeLessThan(1.15);
  });

  it('handles n = 20,000 with 2,000 resamples: an interval around the true gain', () => {
    const s = makeSample(3, 20_000, 1, 1.05);
    const r = pairedBootstrapAucDelta(s, 2000, 1);
    expect(r.resamples).toBe(2000);
    expect(r.ci[0]).toBeLessThan(r.delta);
    expect(r.ci[1]).toBeGreaterThan(r.delta);
  });
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

  it('refuses unpaired or invalid input', () => {
    expect(() => verdict({ champion: [1, 2], challenger: [1], labels: [0, 1] })).toThrow(/must be equal/);
    expect(() => verdict({ champion: [1, 2], challenger: [1, 2], labels: [0, 2] })).toThrow(/0 or 1/);
    expect(() => verdict({ champion: [1, Number.NaN], challenger: [1, 2], labels: [0, 1] })).toThrow(
      /finite/,
    );
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
  });

  it('power: a clearly better challenger is promoted in most seeds', () => {
    const r = promotionRate({ trials: 100, n: 2000, challengerSignal: 1.3, seed: 12 });
    console.log(`promotions with a better challenger (signal 1.3 vs 1): ${r.promotions}/${r.trials}`);
    expect(r.rate).toBeGreaterThan(0.8);
  });

  it('wilson interval', () => {
    const [lo, hi] = wilson(20, 400);
    expect(lo).toBeCloseTo(0.0326, 3);
    expect(hi).toBeCloseTo(0.0759, 3);
  });
});
