/**
 * The promotion gate of a scheduled run (Q15), after TFX's Evaluator: a value threshold (the challenger's
 * holdout AUC must reach `minAuc`: "blessed" at all) and a change threshold against the champion on the
 * same frozen holdout (paired): DeLong's one-sided test of H0: AUC(challenger) - AUC(champion) <= minDelta
 * must reject at `alpha` (@mlops-lab/evaluation's delongTest, the router's verdict rule), with the paired
 * bootstrap percentile CI of the delta reported beside it. Two guards before any of that:
 * - leakage: a holdout row that is also a training row makes the holdout no evidence, so any overlap
 *   rejects (the metric-gaming break);
 * - slices: a slice of the holdout (a channel) smaller than `minSliceRows` is reported but never counts:
 *   a challenger that loses more than `maxSliceDrop` AUC on a slice that counts is rejected, and when
 *   some slices are too small, the change test is repeated on the rows of the slices that count and
 *   must reject H0 there too, so a gain carried by a small slice cannot promote and a large slice
 *   cannot be sacrificed to it.
 */
import { delongTest, pairedBootstrapAucDelta, rocAuc } from '@mlops-lab/evaluation';

export interface GateOptions {
  minAuc: number;
  alpha: number;
  minDelta: number;
  minSliceRows: number;
  maxSliceDrop: number;
  resamples: number;
  seed: number;
}

export const DEFAULT_GATE: GateOptions = {
  minAuc: 0.6,
  alpha: 0.05,
  minDelta: 0,
  minSliceRows: 200,
  maxSliceDrop: 0.05,
  resamples: 500,
  seed: 1,
};

export interface GateInput {
  labels: ArrayLike<number>;
  challenger: ArrayLike<number>;
  /** null: there is no champion yet (the value threshold decides alone). */
  champion: ArrayLike<number> | null;
  /** Slice name per holdout row. */
  slices: readonly string[];
  /** Holdout rows that are also training rows. */
  overlap: number;
}

export interface SliceResult {
  slice: string;
  n: number;
  challenger: number | null;
  champion: number | null;
  counts: boolean;
}

export interface GateResult {
  blessed: boolean;
  reason: string;
  challengerAuc: number;
  championAuc: number | null;
  delta: number | null;
  pValue: number | null;
  ci: [number, number] | null;
  slices: SliceResult[];
}

const f3 = (x: number) => x.toFixed(3);
const signed = (x: number) => (x >= 0 ? `+${f3(x)}` : f3(x));

function sliceResults(input: GateInput, o: GateOptions): SliceResult[] {
  const groups = new Map<string, number[]>();
  input.slices.forEach((s, i) => {
    const g = groups.get(s) ?? [];
    g.push(i);
    groups.set(s, g);
  });
  return [...groups.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([slice, idx]) => {
      const labels = idx.map((i) => input.labels[i]);
      const challenger = rocAuc(
        idx.map((i) => input.challenger[i]),
        labels,
      );
      const champ = input.champion;
      const champion = champ
        ? rocAuc(
            idx.map((i) => champ[i]),
            labels,
          )
        : null;
      return {
        slice,
        n: idx.length,
        challenger,
        champion,
        counts: idx.length >= o.minSliceRows && challenger !== null,
      };
    });
}

export function evaluateGate(input: GateInput, options: Partial<GateOptions> = {}): GateResult {
  const o = { ...DEFAULT_GATE, ...options };
  const challengerAuc = rocAuc(input.challenger, input.labels);
  if (challengerAuc === null) throw new Error('gate: the holdout has one class only; AUC is undefined');
  const slices = sliceResults(input, o);
  const none = { championAuc: null, delta: null, pValue: null, ci: null, slices, challengerAuc };
  if (input.overlap > 0) {
    return {
      ...none,
      blessed: false,
      reason: `holdout overlaps training by ${input.overlap} rows: its AUC ${f3(challengerAuc)} is no evidence`,
    };
  }
  if (challengerAuc < o.minAuc) {
    return {
      ...none,
      blessed: false,
      reason: `AUC ${f3(challengerAuc)} below the value threshold ${o.minAuc}`,
    };
  }
  if (input.champion === null) {
    return { ...none, blessed: true, reason: `first model: AUC ${f3(challengerAuc)} >= ${o.minAuc}` };
  }
  const sample = { champion: input.champion, challenger: input.challenger, labels: input.labels };
  const d = delongTest(sample, o.minDelta);
  const ci = pairedBootstrapAucDelta(sample, o.resamples, o.seed, o.alpha).ci;
  const base = { challengerAuc, championAuc: d.champion, delta: d.delta, pValue: d.pOneSided, ci, slices };
  const numbers = `AUC ${f3(d.challenger)} vs champion ${f3(d.champion)} (delta ${signed(d.delta)}, CI [${signed(ci[0])}, ${signed(ci[1])}], p=${d.pOneSided.toPrecision(2)})`;
  const dropped = slices.find(
    (s) =>
      s.counts && s.champion !== null && s.challenger !== null && s.champion - s.challenger > o.maxSliceDrop,
  );
  if (dropped) {
    return {
      ...base,
      blessed: false,
      reason: `slice ${dropped.slice} (n=${dropped.n}) drops ${f3((dropped.champion ?? 0) - (dropped.challenger ?? 0))} AUC; ${numbers}`,
    };
  }
  if (!(d.pOneSided < o.alpha)) {
    return { ...base, blessed: false, reason: `no significant gain: ${numbers}` };
  }
  const small = slices.filter((s) => !s.counts);
  if (small.length > 0) {
    // The gain must hold without the slices too small to count: the same test on the rest only.
    const names = small.map((s) => `${s.slice} (n=${s.n})`).join(', ');
    const keep = new Set(slices.filter((s) => s.counts).map((s) => s.slice));
    const idx = input.slices.flatMap((s, i) => (keep.has(s) ? [i] : []));
    const pick = (xs: ArrayLike<number>) => idx.map((i) => xs[i]);
    const labels = pick(input.labels);
    const positives = labels.filter((y) => y === 1).length;
    if (positives < 2 || labels.length - positives < 2) {
      return {
        ...base,
        blessed: false,
        reason: `the slices of at least ${o.minSliceRows} rows hold ${positives} frauds of ${labels.length} rows: too few to judge a gain; ${numbers}`,
      };
    }
    const rest = delongTest(
      { champion: pick(input.champion), challenger: pick(input.challenger), labels },
      o.minDelta,
    );
    if (!(rest.pOneSided < o.alpha)) {
      return {
        ...base,
        blessed: false,
        reason: `the gain comes from slices below ${o.minSliceRows} rows (${names}): without them delta ${signed(rest.delta)}, p=${rest.pOneSided.toPrecision(2)}; ${numbers}`,
      };
    }
  }
  return { ...base, blessed: true, reason: `better than the champion: ${numbers}` };
}
