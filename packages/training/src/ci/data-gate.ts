/**
 * The data gate of ML CI (Q11 "data CI", Q12 "data validation against expected schemas and
 * distributions"): a training set is held to the reference profile of @mlops-lab/drift before any
 * compute is spent on it. Expectations, each per column, each with its threshold in the report line:
 *
 * - schema: every profiled column is present in every row with its type (numeric: a number or null,
 *   categorical: a string or null), and the label is 0 or 1. A renamed or retyped upstream column
 *   fails here, naming it (and the columns the reference does not know, often the new name).
 * - null rate: at most `nullRateIncrease` above the reference's.
 * - range: at most `outOfRange` of the values outside the reference's [min, max] (a unit change).
 * - categories: at most `newCategoryShare` of the values in categories the reference never saw.
 * - distribution: the drift detector's verdict (KS / chi-squared after Benjamini–Hochberg, and an
 *   effect size over its threshold: packages/drift/src/detector.ts), on the columns that passed schema.
 * - leakage: no single numeric feature ranks the label with AUC above `maxSingleFeatureAuc` (or below
 *   1 - it). A feature that alone separates fraud almost perfectly was, in practice, computed from the
 *   label window; the model gate would happily promote it (Kaufman et al. 2012, "Leakage in data
 *   mining"). AUC is @mlops-lab/evaluation's rocAuc (sklearn's roc_auc_score).
 *
 * Exported from the package: the retraining pipeline calls it on each week's data.
 */
import { compare, type Profile } from '@mlops-lab/drift';
import { rocAuc } from '@mlops-lab/evaluation';
import { CiInputError, type Finding, finding, type GateResult, gateResult } from './gate.ts';

export interface DataGateThresholds {
  /** Allowed absolute rise of a column's null rate over the reference (default 0.05). */
  nullRateIncrease: number;
  /** Allowed share of non-null values outside the reference [min, max] (default 0.01). */
  outOfRange: number;
  /** Allowed share of values in categories absent from the reference (default 0.005). */
  newCategoryShare: number;
  /** A single feature's AUC above this (or below 1 - this) is implausible (default 0.9). */
  maxSingleFeatureAuc: number;
}

export const DATA_GATE_THRESHOLDS: DataGateThresholds = {
  nullRateIncrease: 0.05,
  outOfRange: 0.01,
  newCategoryShare: 0.005,
  maxSingleFeatureAuc: 0.9,
};

export interface DataGateOptions {
  /** The reference profile (drift's `buildProfile` / `loadProfile`): the columns, types and distributions expected. */
  profile: Profile;
  /** The label column: 0 or 1 in every row. */
  label: string;
  /** Columns that are no features (keys, timestamps): expected, never tested. */
  idColumns?: readonly string[];
  /** Numeric columns outside the profile that the model will use: checked for leakage too. */
  extraFeatures?: readonly string[];
  thresholds?: Partial<DataGateThresholds>;
}

type Rows = readonly Record<string, unknown>[];

const pct = (x: number) => `${(100 * x).toFixed(x < 0.001 && x > 0 ? 3 : 1)}%`;

function typeOf(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v;
}

/** schema: present in every row, with the profiled type; the label 0 or 1. */
function schemaFindings(rows: Rows, options: DataGateOptions, known: Set<string>): Finding[] {
  const unknownColumns = Object.keys(rows[0]).filter((k) => !known.has(k));
  const out: Finding[] = [];
  for (const f of options.profile.features) {
    const want = f.type === 'numeric' ? 'number' : 'string';
    let missing = 0;
    let wrong = 0;
    let wrongType = '';
    for (const r of rows) {
      if (!(f.name in r)) missing++;
      else {
        const v = r[f.name];
        // NaN / Infinity are numbers to JavaScript but no value to a model: counted as the wrong type.
        const t = typeof v === 'number' && !Number.isFinite(v) ? 'non-finite number' : typeOf(v);
        if (t !== want && t !== 'null') {
          wrong++;
          wrongType ||= t;
        }
      }
    }
    const n = rows.length;
    const detail =
      missing > 0
        ? `missing in ${missing}/${n} rows, expected ${want}` +
          (unknownColumns.length
            ? ` (columns the reference does not know: ${unknownColumns.join(', ')})`
            : '')
        : wrong > 0
          ? `${wrongType} in ${wrong}/${n} rows, expected ${want} or null`
          : `${want} or null in all ${n} rows`;
    out.push(finding('schema', f.name, missing === 0 && wrong === 0, detail));
  }
  let bad = 0;
  let example: unknown;
  for (const r of rows) {
    const y = r[options.label];
    if (y !== 0 && y !== 1) {
      bad++;
      example ??= y;
    }
  }
  out.push(
    finding(
      'schema',
      options.label,
      bad === 0,
      bad === 0
        ? `label 0 or 1 in all ${rows.length} rows`
        : `label not 0/1 in ${bad}/${rows.length} rows (e.g. ${JSON.stringify(example) ?? 'missing'})`,
    ),
  );
  return out;
}

function nullAndRangeFindings(rows: Rows, options: DataGateOptions, t: DataGateThresholds, ok: Set<string>) {
  const out: Finding[] = [];
  for (const f of options.profile.features) {
    if (!ok.has(f.name)) continue;
    const values = rows.map((r) => r[f.name]);
    const nulls = values.filter((v) => v === null).length;
    const rate = nulls / rows.length;
    const limit = f.nullRate + t.nullRateIncrease;
    out.push(
      finding(
        'null rate',
        f.name,
        rate <= limit,
        `${pct(rate)} null, reference ${pct(f.nullRate)}, limit ${pct(limit)}`,
      ),
    );
    const present = values.filter((v) => v !== null);
    if (present.length === 0) continue;
    if (f.type === 'numeric') {
      if (!f.summary) continue;
      const { min, max } = f.summary;
      const outside = (present as number[]).filter((v) => v < min || v > max).length / present.length;
      out.push(
        finding(
          'range',
          f.name,
          outside <= t.outOfRange,
          `${pct(outside)} of values outside the reference [${min}, ${max}], limit ${pct(t.outOfRange)}`,
        ),
      );
    } else {
      const unseen = new Map<string, number>();
      for (const v of present as string[]) if (!(v in f.counts)) unseen.set(v, (unseen.get(v) ?? 0) + 1);
      const share = [...unseen.values()].reduce((s, c) => s + c, 0) / present.length;
      const names = [...unseen.keys()].sort().slice(0, 5).join(', ');
      out.push(
        finding(
          'categories',
          f.name,
          share <= t.newCategoryShare,
          `${pct(share)} of values in categories the reference never saw${names ? ` (${names})` : ''}, limit ${pct(t.newCategoryShare)}`,
        ),
      );
    }
  }
  return out;
}

function leakageFindings(rows: Rows, columns: string[], label: string, t: DataGateThresholds): Finding[] {
  const out: Finding[] = [];
  for (const c of columns) {
    const scores: number[] = [];
    const labels: number[] = [];
    for (const r of rows) {
      const v = r[c];
      if (typeof v === 'number' && Number.isFinite(v)) {
        scores.push(v);
        labels.push(r[label] as number);
      }
    }
    const auc = rocAuc(scores, labels);
    if (auc === null) continue;
    const strength = Math.max(auc, 1 - auc);
    out.push(
      finding(
        'leakage',
        c,
        strength <= t.maxSingleFeatureAuc,
        `single-feature AUC ${auc.toFixed(3)}, plausible within [${(1 - t.maxSingleFeatureAuc).toFixed(2)}, ${t.maxSingleFeatureAuc.toFixed(2)}]` +
          (strength > t.maxSingleFeatureAuc
            ? ': a feature this strong is usually computed from the label window'
            : ''),
      ),
    );
  }
  return out;
}

/** Runs every data expectation on `rows` against the reference profile. Refuses an empty dataset. */
export function dataGate(rows: Rows, options: DataGateOptions): GateResult {
  if (rows.length === 0) throw new CiInputError('data gate: the dataset has no rows');
  if (options.profile.features.length === 0)
    throw new CiInputError('data gate: the reference profile has no features');
  const t: DataGateThresholds = { ...DATA_GATE_THRESHOLDS, ...options.thresholds };
  const known = new Set([
    ...options.profile.features.map((f) => f.name),
    options.label,
    ...(options.idColumns ?? []),
    ...(options.extraFeatures ?? []),
  ]);
  const schema = schemaFindings(rows, options, known);
  const labelOk = schema[schema.length - 1].passed;
  const ok = new Set(schema.filter((f) => f.passed).map((f) => f.subject));
  const findings = [...schema, ...nullAndRangeFindings(rows, options, t, ok)];

  const comparable = options.profile.features.filter((f) => ok.has(f.name));
  let drifted = 0;
  if (comparable.length > 0) {
    const report = compare({ ...options.profile, features: comparable }, rows);
    for (const f of report.features) {
      if (f.drifted) drifted++;
      findings.push(
        finding(
          'distribution',
          f.feature,
          !f.drifted,
          f.drifted
            ? f.note
            : `${f.test} adj. p ${f.pAdjusted.toPrecision(2)}, ${f.effectName} ${f.effect.toFixed(3)}: no drift`,
        ),
      );
    }
  }
  if (labelOk) {
    const numeric = comparable.filter((f) => f.type === 'numeric').map((f) => f.name);
    findings.push(...leakageFindings(rows, [...numeric, ...(options.extraFeatures ?? [])], options.label, t));
  }
  const failed = findings.filter((f) => !f.passed).length;
  return gateResult('data', findings, { rows: rows.length, expectations: findings.length, failed, drifted });
}
