/**
 * Per-feature drift evidence: the two-sample test, its effect sizes and the null-rate comparison for one
 * feature of a monitoring window against its reference profile (Q4, Q26, Q27). Decisions that need the
 * whole family of p-values (multiple-testing adjustment, verdict) live in detector.ts.
 */
import { chiSquaredTest } from './chi2.ts';
import type { CategoricalColumn, NumericColumn } from './columns.ts';
import { jensenShannon, wassersteinNormalizedSorted } from './distances.ts';
import { type KsMethod, ks2SampleSorted } from './ks.ts';
import type { CategoricalFeatureProfile, NumericFeatureProfile } from './profile.ts';
import { psiCategorical, psiSorted } from './psi.ts';
import { sortFloat64 } from './sort.ts';

export type DriftTest = 'ks' | 'chi2' | 'none';

/** Raw evidence for one feature, before adjustment and gating. Every number is finite. */
export interface FeatureEvidence {
  test: DriftTest;
  statistic: number;
  pValue: number;
  effectName: 'wasserstein' | 'jensenShannon';
  effect: number;
  psi: number;
  n: { reference: number; current: number };
  nullRate: { reference: number; current: number };
  /** p-value of the 2x2 chi-squared test null vs present; null when neither side has a missing value. */
  nullPValue: number | null;
  newCategories: string[];
  /** Facts that qualify the numbers (constant column, skipped test, ...). */
  notes: string[];
}

interface Settings {
  ksMethod: KsMethod;
  psiBins: number;
  wassersteinScale: 'std' | 'iqr';
}

function nullEvidence(refNull: number, refCount: number, curNull: number, curCount: number) {
  const nullRate = {
    reference: refCount ? refNull / refCount : 0,
    current: curCount ? curNull / curCount : 0,
  };
  let nullPValue: number | null = null;
  if (refNull + curNull > 0 && refCount > 0 && curCount > 0) {
    const ref = new Map([
      ['null', refNull],
      ['present', refCount - refNull],
    ]);
    const cur = new Map([
      ['null', curNull],
      ['present', curCount - curNull],
    ]);
    nullPValue = chiSquaredTest(ref, cur).pValue;
  }
  return { nullRate, nullPValue };
}

function skipped(
  effectName: FeatureEvidence['effectName'],
  n: FeatureEvidence['n'],
  nulls: ReturnType<typeof nullEvidence>,
  note: string,
): FeatureEvidence {
  return {
    test: 'none',
    statistic: 0,
    pValue: 1,
    effectName,
    effect: 0,
    psi: 0,
    n,
    ...nulls,
    newCategories: [],
    notes: [note],
  };
}

function emptySideNote(refN: number, curN: number): string | null {
  if (refN === 0) return 'test skipped: the reference has no non-missing values';
  if (curN === 0) return 'test skipped: no non-missing values in the current window';
  return null;
}

export function numericEvidence(
  ref: NumericFeatureProfile,
  col: NumericColumn,
  curCount: number,
  s: Settings,
): FeatureEvidence {
  const nulls = nullEvidence(ref.nullCount, ref.count, col.nullCount, curCount);
  const n = { reference: ref.sample.length, current: col.values.length };
  const empty = emptySideNote(ref.sample.length, n.current);
  if (empty) return skipped('wasserstein', n, nulls, empty);
  const cur = col.values;
  sortFloat64(cur);
  const ks = ks2SampleSorted(ref.sample, cur, s.ksMethod);
  const w = wassersteinNormalizedSorted(ref.sample, cur, s.wassersteinScale);
  const notes: string[] = [];
  if (w.scaleBasis === 'abs-mean' || w.scaleBasis === 'unit') {
    notes.push(
      `reference is constant (${ref.sample[0]}): Wasserstein is scaled by ${
        w.scaleBasis === 'abs-mean' ? '|reference value|' : '1 (raw distance)'
      } instead of the spread`,
    );
  }
  if (cur[0] === cur[cur.length - 1]) notes.push(`current window is constant (${cur[0]})`);
  if (ks.warning) notes.push(ks.warning);
  return {
    test: 'ks',
    statistic: ks.statistic,
    pValue: ks.pValue,
    effectName: 'wasserstein',
    effect: w.normalized,
    psi: psiSorted(ref.sample, cur, { bins: s.psiBins }).value,
    n,
    ...nulls,
    newCategories: [],
    notes,
  };
}

export function categoricalEvidence(
  ref: CategoricalFeatureProfile,
  col: CategoricalColumn,
  curCount: number,
): FeatureEvidence {
  const nulls = nullEvidence(ref.nullCount, ref.count, col.nullCount, curCount);
  const refCounts = new Map(Object.entries(ref.counts));
  const n = { reference: ref.count - ref.nullCount, current: curCount - col.nullCount };
  const empty = emptySideNote(n.reference, n.current);
  if (empty) return skipped('jensenShannon', n, nulls, empty);
  const newCategories = [...col.counts.keys()].filter((k) => !refCounts.has(k));
  const chi = chiSquaredTest(refCounts, col.counts);
  const notes: string[] = [];
  if (chi.dof === 0)
    notes.push(`a single category ("${chi.categories[0]}") on both sides: nothing to compare`);
  return {
    test: 'chi2',
    statistic: chi.statistic,
    pValue: chi.pValue,
    effectName: 'jensenShannon',
    effect: jensenShannon(refCounts, col.counts),
    psi: psiCategorical(refCounts, col.counts).value,
    n,
    ...nulls,
    newCategories,
    notes,
  };
}
