/**
 * The embedding-drift lab's cut-over rule (Q25): whether to move the service from the old embedding
 * model to the new one, decided on the golden set before the migration starts, from a clean build of
 * each. The migration's own shadow comparison (overlap@10) only warns of a broken build; it cannot say
 * which model is better, so it does not decide.
 *
 * The rule: cut over if the new model's recall@10 (grade 3) is at most `maxDrop` below the old one's.
 * A larger loss is accepted only when the old model is retired for a reason outside quality (a
 * provider's end-of-life date, a library that is no longer maintained) and the new model still
 * meets `floor`; the loss is then reported, never hidden. Anything else keeps the old model.
 */

export interface CutoverRule {
  /** Largest recall@10 loss accepted for an upgrade chosen on quality. */
  maxDrop: number;
  /** Why the old model must go whatever the golden set says, or null if it may stay. */
  oldRetired: string | null;
  /** recall@10 the new model must keep when the old one is retired. */
  floor: number;
}

/** Per golden query, recall@10 of its answer-bearing document under one model (0 or 1 here). */
export type PerQueryRecall = Record<string, number>;

export interface CutoverDecision {
  cutover: boolean;
  /** Which branch of the rule decided: the new model is good enough, the old one is retired, or neither. */
  basis: 'quality' | 'retired' | 'refused';
  /** Old mean recall@10 minus the new one (positive: the upgrade loses recall). */
  drop: number;
  /** Queries whose answer-bearing document the old model found and the new one does not, and the reverse. */
  lost: number;
  gained: number;
  queries: number;
}

const mean = (xs: number[]) => (xs.length === 0 ? 0 : xs.reduce((a, b) => a + b, 0) / xs.length);

/** Applies the rule to the two models' per-query recall on the same golden queries. */
export function decideCutover(
  oldRecall: PerQueryRecall,
  newRecall: PerQueryRecall,
  rule: CutoverRule,
): CutoverDecision {
  const ids = Object.keys(oldRecall);
  if (
    ids.length === 0 ||
    ids.length !== Object.keys(newRecall).length ||
    ids.some((q) => !(q in newRecall))
  ) {
    throw new Error('decideCutover: both models must be scored on the same, non-empty set of golden queries');
  }
  const oldMean = mean(ids.map((q) => oldRecall[q]));
  const newMean = mean(ids.map((q) => newRecall[q]));
  const drop = oldMean - newMean;
  const lost = ids.filter((q) => newRecall[q] < oldRecall[q]).length;
  const gained = ids.filter((q) => newRecall[q] > oldRecall[q]).length;
  // A tiny epsilon so that a drop of exactly maxDrop, computed in floating point, is accepted.
  const basis =
    drop <= rule.maxDrop + 1e-12
      ? 'quality'
      : rule.oldRetired !== null && newMean >= rule.floor
        ? 'retired'
        : 'refused';
  return { cutover: basis !== 'refused', basis, drop, lost, gained, queries: ids.length };
}
