/**
 * Champion vs challenger verdict on labelled shadow traffic: promote, keep or need-more-data, with the
 * numbers and sample sizes (Q15: promote only if the challenger wins on the metrics that matter, on real
 * traffic; Q29: both models scored the same requests, so the comparison is paired).
 *
 * THE decision rule: promote iff n >= minLabels, both classes >= minPerClass, every guardrail holds, and
 * DeLong's one-sided test of H0: AUC(challenger) - AUC(champion) <= minDelta rejects at `alpha`. The
 * margin is inside the test, so "significant" and "beats the margin" are one claim whose
 * false-promotion rate is at most alpha when the true gain is <= minDelta. The paired bootstrap
 * percentile CI (two-sided 1 - 2 alpha, so its lower end is the one-sided alpha bound) is reported beside
 * it but never decides: one rule, one level. `falsePromotionRate` measures that level over many seeds
 * under the null (two equally good models), and with `peekEvery` the inflated level of deciding at
 * every look and stopping at the first promote (the "peeking" fault: repeated looks without correction).
 * The statistics (AUC, DeLong, the bootstrap, the Wilson interval of the rate, the binormal simulation
 * of the null) are @mlops-lab/evaluation's; this file holds the decision built on them.
 */
import { mulberry32 } from '@mlops-lab/datagen';
import {
  checkPairedSample,
  delongTest,
  EvaluationInputError,
  type PairedSample,
  pairedBootstrapAucDelta,
  rocAuc,
  simulatePairedScores,
  wilson,
} from '@mlops-lab/evaluation';

export interface Guardrails {
  /** Holds when challenger p99 <= champion p99 * maxRatio. */
  p99LatencyMs?: { champion: number; challenger: number; maxRatio: number };
  /** Holds when challenger error rate - champion error rate <= maxIncrease (absolute, e.g. 0.005). */
  errorRate?: { champion: number; challenger: number; maxIncrease: number };
}

export interface VerdictOptions {
  metric?: 'auc';
  /** One-sided level of "challenger better" (default 0.05). */
  alpha?: number;
  /** Fewer labelled requests -> need-more-data (default 500). */
  minLabels?: number;
  /** Fewer positives, or fewer negatives, -> need-more-data (default 20). */
  minPerClass?: number;
  /** Practical margin of AUC the challenger must beat; tested as the null boundary (default 0). */
  minDelta?: number;
  /** Bootstrap resamples for the reported CI (default 2000; 0 skips it: ci is [NaN, NaN]). */
  resamples?: number;
  /** Bootstrap RNG seed (default 1). */
  seed?: number;
  guardrails?: Guardrails;
}

export interface GuardrailResult {
  name: string;
  ok: boolean;
  detail: string;
}

export interface Verdict {
  decision: 'promote' | 'keep' | 'need-more-data';
  /** One sentence with the numbers. */
  reason: string;
  n: number;
  positives: number;
  negatives: number;
  /** AUC of each model (NaN with fewer than 2 of a class). */
  champion: number;
  challenger: number;
  delta: number;
  /** Two-sided (1 - 2 alpha) paired bootstrap percentile CI of challenger - champion. */
  ci: [number, number];
  /** DeLong standard error of delta and one-sided p of H0: delta <= minDelta. */
  se: number;
  pValue: number;
  alpha: number;
  minDelta: number;
  guardrails: GuardrailResult[];
}

function checkGuardrails(g: Guardrails | undefined): GuardrailResult[] {
  const out: GuardrailResult[] = [];
  if (g?.p99LatencyMs) {
    const { champion, challenger, maxRatio } = g.p99LatencyMs;
    const ok = challenger <= champion * maxRatio;
    const ms = (x: number) => `${x.toFixed(1)} ms`;
    const detail = `p99 latency ${ms(challenger)} vs champion ${ms(champion)} (max x${maxRatio})`;
    out.push({ name: 'p99-latency', ok, detail });
  }
  if (g?.errorRate) {
    const { champion, challenger, maxIncrease } = g.errorRate;
    const ok = challenger - champion <= maxIncrease;
    const detail = `error rate ${pct(challenger)} vs champion ${pct(champion)} (max +${pct(maxIncrease)})`;
    out.push({ name: 'error-rate', ok, detail });
  }
  return out;
}

const pct = (x: number) => `${(100 * x).toFixed(2)}%`;
const f4 = (x: number) => x.toFixed(4);
const signed = (x: number) => (x >= 0 ? `+${f4(x)}` : f4(x));
const fp = (p: number) => (p < 1e-4 ? p.toExponential(1) : p.toFixed(4));

/** The champion-vs-challenger verdict (see the file comment for the decision rule). */
export function verdict(sample: PairedSample, options: VerdictOptions = {}): Verdict {
  const alpha = options.alpha ?? 0.05;
  const minLabels = options.minLabels ?? 500;
  const minPerClass = options.minPerClass ?? 20;
  const minDelta = options.minDelta ?? 0;
  const resamples = options.resamples ?? 2000;
  if (!(alpha > 0 && alpha < 0.5))
    throw new EvaluationInputError('argument', `verdict: alpha ${alpha} must be in (0, 0.5)`);
  // DeLong's variance needs 2 of each class; fewer than that is always need-more-data, never an error.
  if (!(minPerClass >= 2))
    throw new EvaluationInputError('argument', `verdict: minPerClass ${minPerClass} must be >= 2`);
  // Equal lengths, labels exactly 0 or 1, finite scores: refused before any decision.
  const { positives, negatives } = checkPairedSample('verdict', sample);
  const n = positives + negatives;
  const guardrails = checkGuardrails(options.guardrails);
  const sizes = `n=${n} labelled requests (${positives} positives, ${negatives} negatives)`;
  const short =
    n < minLabels
      ? `${n} labelled requests < ${minLabels} required`
      : positives < minPerClass
        ? `${positives} positives < ${minPerClass} required`
        : negatives < minPerClass
          ? `${negatives} negatives < ${minPerClass} required`
          : null;
  if (short) {
    // No test is run on too few labels; the point AUCs are shown for information only.
    const nan = Number.NaN;
    const champion = rocAuc(sample.champion, sample.labels) ?? nan;
    const challenger = rocAuc(sample.challenger, sample.labels) ?? nan;
    const reason = `need more data: ${short}; no decision (${sizes}).`;
    const delta = challenger - champion;
    const decision = 'need-more-data';
    const rest = { alpha, minDelta, guardrails, ci: [nan, nan] as [number, number], pValue: nan, se: nan };
    return { decision, reason, n, positives, negatives, champion, challenger, delta, ...rest };
  }
  const d = delongTest(sample, minDelta);
  const base = { n, positives, negatives, champion: d.champion, challenger: d.challenger, delta: d.delta };
  const ci: [number, number] =
    resamples > 0
      ? pairedBootstrapAucDelta(sample, resamples, options.seed ?? 1, alpha).ci
      : [Number.NaN, Number.NaN];
  const level = Math.round(100 * (1 - 2 * alpha));
  const numbers =
    `challenger AUC ${f4(d.challenger)} vs champion ${f4(d.champion)}, delta ${signed(d.delta)}` +
    (resamples > 0 ? ` (${level}% paired bootstrap CI [${signed(ci[0])}, ${signed(ci[1])}])` : '') +
    `, one-sided DeLong p=${fp(d.pOneSided)} vs alpha ${alpha}` +
    (minDelta !== 0 ? ` for a margin of ${f4(minDelta)}` : '') +
    `, ${sizes}`;
  const failed = guardrails.filter((g) => !g.ok);
  let decision: Verdict['decision'];
  let reason: string;
  if (failed.length > 0) {
    decision = 'keep';
    reason = `keep: guardrail ${failed.map((g) => `${g.name} failed (${g.detail})`).join(', ')}; ${numbers}.`;
  } else if (d.pOneSided < alpha) {
    decision = 'promote';
    reason = `promote: ${numbers}; guardrails ok.`;
  } else {
    decision = 'keep';
    reason = `keep: no significant gain over the champion: ${numbers}.`;
  }
  return { decision, reason, ...base, se: d.se, alpha, minDelta, guardrails, ci, pValue: d.pOneSided };
}

export interface NullExperimentOptions {
  /** Independent simulated experiments (default 400). */
  trials?: number;
  /** Planned number of labelled requests per experiment (default 2000). */
  n?: number;
  /** Share of positive labels (default 0.2). */
  prevalence?: number;
  /** Champion's score separation: score = signal * label + unit-variance noise (default 1). */
  signal?: number;
  /** Challenger's separation (default = signal: the null, equally good models). */
  challengerSignal?: number;
  /** Correlation of the two models' noise, in [0, 1) (default 0.5: they share features). */
  sharedNoise?: number;
  /** Peeking: run the verdict after every `peekEvery` labels and stop at the first promote. */
  peekEvery?: number;
  /** Base seed (default 1). */
  seed?: number;
  /** Passed to verdict(); resamples defaults to 0 here since the bootstrap CI never decides. */
  verdict?: VerdictOptions;
}

export interface PromotionRate {
  trials: number;
  promotions: number;
  /** promotions / trials, its binomial standard error and 95% Wilson interval. */
  rate: number;
  se: number;
  ci: [number, number];
  alpha: number;
  n: number;
  /** Verdicts evaluated per experiment at most (1 without peeking). */
  looks: number;
  /** Mean labels seen when promoted (NaN if never). */
  meanLabelsAtPromotion: number;
}

/**
 * Share of experiments that end in "promote". With the default challengerSignal (= signal) both
 * models are equally good, so this is the false-promotion rate, which the decision rule keeps at or
 * under alpha at a fixed, planned sample size; with `peekEvery` it is the rate of "look after every k
 * labels, stop at the first promote", which is not. With a larger challengerSignal it is the power.
 */
export function promotionRate(options: NullExperimentOptions = {}): PromotionRate {
  const o = {
    trials: options.trials ?? 400,
    n: options.n ?? 2000,
    prevalence: options.prevalence ?? 0.2,
    signal: options.signal ?? 1,
    challengerSignal: options.challengerSignal ?? options.signal ?? 1,
    sharedNoise: options.sharedNoise ?? 0.5,
    seed: options.seed ?? 1,
  };
  const vopts: VerdictOptions = { resamples: 0, ...options.verdict };
  const step = options.peekEvery ?? o.n;
  const looks: number[] = [];
  for (let m = step; m < o.n; m += step) looks.push(m);
  looks.push(o.n);
  let promotions = 0;
  let labelsAtPromotion = 0;
  for (let t = 0; t < o.trials; t++) {
    const rnd = mulberry32((Math.imul(o.seed, 0x9e3779b1) ^ Math.imul(t + 1, 0x85ebca6b)) >>> 0);
    const sim = simulatePairedScores(rnd, o); // both models see the same requests and labels
    for (const m of looks) {
      const sample = {
        champion: sim.champion.subarray(0, m),
        challenger: sim.challenger.subarray(0, m),
        labels: sim.labels.subarray(0, m),
      };
      if (verdict(sample, vopts).decision === 'promote') {
        promotions++;
        labelsAtPromotion += m;
        break;
      }
    }
  }
  const rate = promotions / o.trials;
  return {
    trials: o.trials,
    promotions,
    rate,
    se: Math.sqrt((rate * (1 - rate)) / o.trials),
    ci: wilson(promotions, o.trials),
    alpha: vopts.alpha ?? 0.05,
    n: o.n,
    looks: looks.length,
    meanLabelsAtPromotion: promotions > 0 ? labelsAtPromotion / promotions : Number.NaN,
  };
}

/** promotionRate under the null: the challenger is exactly as good as the champion. */
export function falsePromotionRate(
  options: Omit<NullExperimentOptions, 'challengerSignal'> = {},
): PromotionRate {
  return promotionRate({ ...options, challengerSignal: options.signal ?? 1 });
}
