/**
 * Drift detector: compares a monitoring window with a stored reference profile, feature by feature, and
 * gives a verdict with reasons (Q4 data drift, Q26 what to monitor, Q27 how to detect it).
 *
 * The answer to alarm fatigue (Q27) is two gates, both required:
 * 1. significance after multiple-testing control over every test of the window (Benjamini–Hochberg by
 *    default, Bonferroni optional): with 20 features, raw p < 0.05 alarms about once per window;
 * 2. an effect size over a threshold: at n = 100k a KS test calls a 0.03-sd shift "p = 1e-20", which is
 *    true and useless. Numeric: Wasserstein distance in reference standard deviations (default 0.1) or
 *    PSI (default 0.2); categorical: Jensen–Shannon distance (default 0.1) or PSI (0.2).
 * Missing values are tested on their own (2x2 chi-squared, null vs present, in the same family) with an
 * absolute null-rate change threshold (default 0.05), so a null flood is drift even when the values that
 * remain look normal. Categories never seen in the reference are named.
 */
import { categoricalColumn, type Dataset, numericColumn, rowCountOf } from './columns.ts';
import { DriftInputError } from './errors.ts';
import {
  categoricalEvidence,
  type DriftTest,
  type FeatureEvidence,
  numericEvidence,
} from './feature-drift.ts';
import type { KsMethod } from './ks.ts';
import { benjaminiHochberg, bonferroni } from './multiple-testing.ts';
import type { FeatureProfile, Profile } from './profile.ts';

export interface EffectThresholds {
  /** Normalized Wasserstein distance (reference sds), numeric features. */
  wasserstein: number;
  /** Jensen–Shannon distance (base 2), categorical features. */
  jensenShannon: number;
  /** PSI, both kinds: either effect over its threshold opens the gate. */
  psi: number;
  /** Absolute change in the missing-value rate. */
  nullRate: number;
}

export const DEFAULT_THRESHOLDS: EffectThresholds = {
  wasserstein: 0.1,
  jensenShannon: 0.1,
  psi: 0.2,
  nullRate: 0.05,
};

export interface CompareOptions {
  /** Level for adjusted p-values (default 0.05). */
  alpha?: number;
  /** Multiple-testing control (default 'bh'). */
  correction?: 'bh' | 'bonferroni';
  thresholds?: Partial<EffectThresholds>;
  /** PSI quantile bins for numeric features (default 10). */
  psiBins?: number;
  /** KS p-value method (default 'auto', like scipy). */
  ksMethod?: KsMethod;
  /** Spread that normalizes the Wasserstein distance (default 'std'). */
  wassersteinScale?: 'std' | 'iqr';
}

export interface FeatureDrift {
  feature: string;
  type: FeatureProfile['type'];
  /** 'none' when no test could run (empty side); `reasons` says why. */
  test: DriftTest;
  statistic: number;
  pValue: number;
  /** p-value after the window's multiple-testing adjustment. */
  pAdjusted: number;
  /** The gate's main effect size: normalized Wasserstein (numeric) or Jensen–Shannon (categorical). */
  effectName: 'wasserstein' | 'jensenShannon';
  effect: number;
  psi: number;
  /** Non-missing values compared (reference sample size, current window). */
  n: { reference: number; current: number };
  nullRate: { reference: number; current: number; pValue: number; pAdjusted: number; drifted: boolean };
  /** Categories present in the window and absent from the reference. */
  newCategories: string[];
  significant: boolean;
  largeEffect: boolean;
  drifted: boolean;
  /** Why: the decision first, then qualifying facts. */
  reasons: string[];
  /** `reasons` joined with '; ' (for a log line or a text column). */
  note: string;
}

export interface DriftReport {
  drifted: boolean;
  driftedFeatures: string[];
  /** Dataset-level explanation, one line per drifted feature (or why nothing drifted). */
  reasons: string[];
  rows: { reference: number; current: number };
  features: FeatureDrift[];
  settings: { alpha: number; correction: 'bh' | 'bonferroni'; thresholds: EffectThresholds };
}

// A p-value of 0 underflowed a double: it is below 1e-300, not zero.
const fmtP = (p: number) => (p === 0 ? '< 1e-300' : p < 1e-3 ? p.toExponential(1) : p.toFixed(3));
const fmt = (v: number) => (Math.abs(v) >= 100 ? v.toFixed(0) : v.toPrecision(3));
const pct = (v: number) => `${(100 * v).toFixed(1)}%`;

function evidenceFor(f: FeatureProfile, data: Dataset, rowCount: number, o: Required<CompareOptions>) {
  if (rowCount === 0) return null;
  if (f.type === 'numeric') {
    const col = numericColumn(data, f.name, rowCount);
    return numericEvidence(f, col, rowCount, {
      ksMethod: o.ksMethod,
      psiBins: o.psiBins,
      wassersteinScale: o.wassersteinScale,
    });
  }
  return categoricalEvidence(f, categoricalColumn(data, f.name, rowCount), rowCount);
}

function decide(
  f: FeatureProfile,
  e: FeatureEvidence,
  adjusted: number,
  nullAdjusted: number,
  o: Required<CompareOptions>,
  t: EffectThresholds,
): FeatureDrift {
  const effectThreshold = e.effectName === 'wasserstein' ? t.wasserstein : t.jensenShannon;
  const significant = e.test !== 'none' && adjusted <= o.alpha;
  const largeEffect = e.effect >= effectThreshold || e.psi >= t.psi;
  const distDrift = significant && largeEffect;
  const nullDelta = e.nullRate.current - e.nullRate.reference;
  const nullDrift = e.nullPValue !== null && nullAdjusted <= o.alpha && Math.abs(nullDelta) >= t.nullRate;
  const label = e.effectName === 'wasserstein' ? 'Wasserstein' : 'Jensen-Shannon';
  // The Wasserstein distance is divided by the reference's spread: say which, so 64.2 reads as 64 sds.
  const unit =
    e.effectName === 'wasserstein'
      ? o.wassersteinScale === 'iqr'
        ? ' reference IQRs'
        : ' reference SDs'
      : '';
  const effects = `${label} ${fmt(e.effect)}${unit} (threshold ${effectThreshold}), PSI ${fmt(e.psi)} (threshold ${t.psi})`;
  const test = `${e.test === 'ks' ? 'KS D' : 'chi2'} = ${fmt(e.statistic)}, adjusted p = ${fmtP(adjusted)}`;
  // Drift causes first, so reasons[0] is always the headline.
  const causes: string[] = [];
  const context: string[] = [];
  if (distDrift) causes.push(`distribution changed: ${test} <= ${o.alpha} and ${effects}`);
  else if (significant)
    context.push(`significant but negligible: ${test}, effect below thresholds: ${effects}`);
  else if (e.test !== 'none') context.push(`no significant change: ${test} > ${o.alpha}`);
  if (e.nullPValue !== null) {
    const rates = `missing rate ${pct(e.nullRate.reference)} -> ${pct(e.nullRate.current)}`;
    if (nullDrift)
      causes.push(`${rates} (|change| >= ${pct(t.nullRate)}, adjusted p = ${fmtP(nullAdjusted)})`);
    else if (Math.abs(nullDelta) > 0) context.push(`${rates}: below the null-rate gate`);
  }
  if (e.newCategories.length) {
    context.push(
      `categories never seen in the reference: ${e.newCategories.map((c) => JSON.stringify(c)).join(', ')}`,
    );
  }
  const reasons = [...causes, ...context, ...e.notes];
  return {
    feature: f.name,
    type: f.type,
    test: e.test,
    statistic: e.statistic,
    pValue: e.pValue,
    pAdjusted: adjusted,
    effectName: e.effectName,
    effect: e.effect,
    psi: e.psi,
    n: e.n,
    nullRate: { ...e.nullRate, pValue: e.nullPValue ?? 1, pAdjusted: nullAdjusted, drifted: nullDrift },
    newCategories: e.newCategories,
    significant,
    largeEffect,
    drifted: distDrift || nullDrift,
    reasons,
    note: reasons.join('; '),
  };
}

function emptyFeature(f: FeatureProfile): FeatureDrift {
  const reason = 'current window is empty: nothing to test';
  return {
    feature: f.name,
    type: f.type,
    test: 'none',
    statistic: 0,
    pValue: 1,
    pAdjusted: 1,
    effectName: f.type === 'numeric' ? 'wasserstein' : 'jensenShannon',
    effect: 0,
    psi: 0,
    n: { reference: f.count - f.nullCount, current: 0 },
    nullRate: { reference: f.nullRate, current: 0, pValue: 1, pAdjusted: 1, drifted: false },
    newCategories: [],
    significant: false,
    largeEffect: false,
    drifted: false,
    reasons: [reason],
    note: reason,
  };
}

/** Compare the window `current` (rows or columns) with `profile`. */
export function compare(profile: Profile, current: Dataset, options: CompareOptions = {}): DriftReport {
  const o: Required<CompareOptions> = {
    alpha: options.alpha ?? 0.05,
    correction: options.correction ?? 'bh',
    thresholds: options.thresholds ?? {},
    psiBins: options.psiBins ?? 10,
    ksMethod: options.ksMethod ?? 'auto',
    wassersteinScale: options.wassersteinScale ?? 'std',
  };
  if (!(o.alpha > 0 && o.alpha < 1)) throw new DriftInputError(`alpha must be in (0, 1), got ${o.alpha}`);
  const t: EffectThresholds = { ...DEFAULT_THRESHOLDS, ...o.thresholds };
  const rowCount = rowCountOf(current, profile.features);
  const evidence = profile.features.map((f) => evidenceFor(f, current, rowCount, o));
  // One family: every distribution test that ran plus every informative null-rate test.
  const family: number[] = [];
  for (const e of evidence) {
    if (!e) continue;
    if (e.test !== 'none') family.push(e.pValue);
    if (e.nullPValue !== null) family.push(e.nullPValue);
  }
  const adjust = o.correction === 'bonferroni' ? bonferroni : benjaminiHochberg;
  const adjusted = family.length ? adjust(family, o.alpha).adjusted : [];
  let next = 0;
  const features = profile.features.map((f, i) => {
    const e = evidence[i];
    if (!e) return emptyFeature(f);
    const a = e.test !== 'none' ? adjusted[next++] : 1;
    const na = e.nullPValue !== null ? adjusted[next++] : 1;
    return decide(f, e, a, na, o, t);
  });
  const drifted = features.filter((f) => f.drifted);
  const reasons: string[] = [];
  if (rowCount === 0) reasons.push('current window is empty: no verdict possible, nothing flagged');
  for (const f of drifted) reasons.push(`${f.feature}: ${f.reasons[0]}`);
  if (rowCount > 0 && drifted.length === 0) {
    const quiet = features.filter((f) => f.significant && !f.largeEffect).length;
    reasons.push(
      quiet
        ? `no drift: ${quiet} feature(s) significant but below every effect threshold`
        : 'no drift: no feature changed significantly',
    );
  }
  return {
    drifted: drifted.length > 0,
    driftedFeatures: drifted.map((f) => f.feature),
    reasons,
    rows: { reference: profile.rowCount, current: rowCount },
    features,
    settings: { alpha: o.alpha, correction: o.correction, thresholds: t },
  };
}
