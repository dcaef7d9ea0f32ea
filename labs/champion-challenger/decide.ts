/**
 * From the router's prediction log to a decision (Q15, Q29): labels arrive late (a chargeback weeks
 * after the payment; here DELAY_MS after the reply) into prediction_labels; the served and shadow
 * predictions of the same requests are joined to them in SQL, and the paired sample goes to the verdict
 * of @mlops-lab/router at the sample size planned before the experiment. The `peeking` fault looks at
 * the verdict every PEEK_EVERY labels instead and stops at the first "promote".
 * Reference: DeLong et al. 1988 (paired AUC test); "peeking" as in Johari et al., "Always valid inference".
 */

import type { PairedSample } from '@mlops-lab/evaluation';
import { fmt, type Narrator } from '@mlops-lab/labkit';
import { recordLabels } from '@mlops-lab/monitoring';
import {
  falsePromotionRate,
  type PromotionRate,
  type Verdict,
  type VerdictOptions,
  verdict,
} from '@mlops-lab/router';
import type { Services } from '@mlops-lab/services';
import type { Reply } from './traffic.ts';

export const ALPHA = 0.05;
export const PEEK_EVERY = 50;
/** The peeker also looks before the verdict's own minimum sample (it is "deciding before enough labels"). */
const PEEK_MIN_LABELS = 100;

/** Labels written DELAY_MS after each reply; `add` writes what is already due, `drain` waits for the rest. */
export class LabelFeed {
  private queue: { requestId: string; label: 0 | 1; due: number }[] = [];
  written = 0;
  constructor(
    private readonly pg: Pick<Services['pg'], 'query'>,
    private readonly labelOf: (id: string) => 0 | 1,
    readonly delayMs: number,
  ) {}

  async add(replies: Reply[]): Promise<void> {
    for (const r of replies) {
      if (r.status === 200)
        this.queue.push({ requestId: r.id, label: this.labelOf(r.id), due: r.t1 + this.delayMs });
    }
    await this.writeDue();
  }

  private async writeDue(): Promise<void> {
    const now = performance.now();
    const due = this.queue.filter((q) => q.due <= now);
    this.queue = this.queue.filter((q) => q.due > now);
    const labelledAt = Date.now();
    await recordLabels(
      this.pg,
      due.map((q) => ({ requestId: q.requestId, label: q.label, labelledAt })),
    );
    this.written += due.length;
  }

  async drain(): Promise<void> {
    while (this.queue.length > 0) {
      const wait = Math.max(0, Math.max(...this.queue.map((q) => q.due)) - performance.now());
      await new Promise((r) => setTimeout(r, Math.min(wait, 100) + 1));
      await this.writeDue();
    }
  }
}

export interface Pairs {
  ids: string[];
  champion: number[];
  challenger: number[];
  labels: (0 | 1)[];
}

const prefixOf = (s: Pairs, m: number): PairedSample => ({
  champion: s.champion.slice(0, m),
  challenger: s.challenger.slice(0, m),
  labels: s.labels.slice(0, m),
});

export interface Decision {
  verdict: Verdict;
  /** Labels the decision was taken on. */
  at: number;
  looks: number;
}

/**
 * The decision rule. Planned: one verdict on the first `planned` pairs. Peeking: a verdict every
 * PEEK_EVERY labels, stop at the first promote (the last look is at `planned`).
 */
export function decide(sample: Pairs, planned: number, peeking: boolean, options: VerdictOptions): Decision {
  const n = Math.min(planned, sample.labels.length);
  if (!peeking) return { verdict: verdict(prefixOf(sample, n), options), at: n, looks: 1 };
  let looks = 0;
  for (let m = PEEK_EVERY; m < n; m += PEEK_EVERY) {
    looks++;
    const v = verdict(prefixOf(sample, m), { ...options, minLabels: PEEK_MIN_LABELS });
    if (v.decision === 'promote') return { verdict: v, at: m, looks };
  }
  return { verdict: verdict(prefixOf(sample, n), options), at: n, looks: looks + 1 };
}

/**
 * The same rule replayed on many simulated experiments where both models are equally good: the share
 * that ends in "promote" is the false-promotion rate, which the planned rule keeps near alpha.
 */
export function nullExperiment(o: {
  trials: number;
  planned: number;
  prevalence: number;
  seed: number;
  peeking: boolean;
}): PromotionRate {
  return falsePromotionRate({
    trials: o.trials,
    n: o.planned,
    prevalence: o.prevalence,
    seed: o.seed,
    verdict: o.peeking ? { alpha: ALPHA, minLabels: PEEK_MIN_LABELS } : { alpha: ALPHA },
    ...(o.peeking ? { peekEvery: PEEK_EVERY } : {}),
  });
}

/** The lab's step 6: the null experiment at the live traffic's prevalence, narrated. */
export async function nullStep(
  out: Narrator,
  o: { trials: number; planned: number; labels: (0 | 1)[]; seed: number; peeking: boolean },
): Promise<PromotionRate> {
  const positives = o.labels.filter((y) => y === 1).length;
  const prevalence = Math.round((positives / Math.max(o.labels.length, 1)) * 100) / 100;
  const nul = await out.step(
    `The rule under the null: ${o.trials} simulated experiments, two equally good models, n=${o.planned}`,
    async () => nullExperiment({ ...o, prevalence }),
  );
  const looks = `${nul.looks} look${nul.looks > 1 ? 's' : ''} per experiment`;
  out.say(
    `promoted ${nul.promotions} of ${nul.trials}: false-promotion rate ${fmt.pct(nul.rate)} ` +
      `(95% CI ${fmt.pct(nul.ci[0])}-${fmt.pct(nul.ci[1])}; ${looks}) vs alpha ${ALPHA}`,
  );
  return nul;
}

export const promoteReason = (v: Verdict) =>
  `shadow verdict: AUC ${v.challenger.toFixed(3)} vs ${v.champion.toFixed(3)}, p=${fmt.p(v.pValue)}, n=${v.n}; canary 5-25-100% healthy`;

export const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
