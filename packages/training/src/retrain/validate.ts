/**
 * The validate step of a scheduled run (Q12, Q14): before any training, the window must hold enough
 * rows of both classes, and the holdout week must pass ML CI's data gate (`dataGate`, ci/data-gate.ts)
 * against the reference profile of the training window, so the week the challenger is judged on is the
 * kind of data it was trained on. What blocks and what is only recorded:
 * - blocking: too few rows or too few of a class (the run is skipped with that reason: training on an
 *   empty upstream week, or judging on one, would promote a model nobody evaluated), and the data
 *   gate's schema, null-rate, range, category and leakage expectations (a renamed column, a unit change,
 *   a feature computed from the label are broken data, not a changed world);
 *   The customer aggregates are held to the leakage expectation only (see below);
 * - recorded: the distribution expectations (drift detector: KS / chi-squared after Benjamini-Hochberg
 *   with an effect size). Drift is a reason to retrain, not to stop, so it goes into the run's record.
 * `holdoutOverlap` counts the holdout rows that are also training rows, for the gate's leakage guard.
 */
import { buildProfile, type Schema } from '@mlops-lab/drift';
import { dataGate } from '../ci/data-gate.ts';
import { findingLine } from '../ci/gate.ts';
import { PAYMENTS_PROFILE_SCHEMA } from '../ci/payments-source.ts';
import { ACTIVITY_FEATURES, type FeedRow } from './data.ts';

export interface WindowLimits {
  /** Fewer rows than this in the holdout week or the training window: skipped. */
  minRows: number;
  /** Fewer frauds, or fewer legitimate rows, than this: skipped (AUC needs both classes). */
  minPerClass: number;
}

/** The data gate's expectations that only describe the world; every other one blocks. */
const RECORDED_ONLY = new Set(['distribution']);

/** The payment columns the model reads (payments' encoder), held to the full data gate. */
export const RETRAIN_SCHEMA: Schema = PAYMENTS_PROFILE_SCHEMA.filter((f) =>
  ['amount', 'hourOfDay', 'deviceAgeDays', 'distanceKm', 'merchantCategory', 'channel'].includes(f.name),
);
const ID_COLUMNS = ['eventId', 'customerId', 'timestamp', 'week'];

export interface Validation {
  /** null: the run may train. Else the one-line reason it is skipped. */
  problem: string | null;
  /** Features the drift detector flagged in the holdout week against the training window. */
  drifted: string[];
  /** Data gate expectations checked, and the failed ones, one line each (blocking and recorded). */
  expectations: number;
  failed: string[];
}

/** A feed row as the data gate reads it: one flat record, the aggregates as columns. */
export function flatRow(r: FeedRow): Record<string, unknown> {
  const { activity, ...rest } = r;
  return { ...rest, ...activity };
}

function tooFew(what: string, rows: readonly FeedRow[], limits: WindowLimits): string | null {
  const frauds = rows.filter((r) => r.label === 1).length;
  if (rows.length < limits.minRows) return `${what} has ${rows.length} rows < ${limits.minRows} required`;
  if (frauds < limits.minPerClass || rows.length - frauds < limits.minPerClass)
    return `${what} has ${frauds} frauds and ${rows.length - frauds} legit rows; ${limits.minPerClass} of each required`;
  return null;
}

export function validateWindow(
  train: readonly FeedRow[],
  holdout: readonly FeedRow[],
  holdoutName: string,
  limits: WindowLimits,
): Validation {
  const short = tooFew(holdoutName, holdout, limits) ?? tooFew('the training window', train, limits);
  if (short) return { problem: short, drifted: [], expectations: 0, failed: [] };
  const gate = dataGate(holdout.map(flatRow), {
    profile: buildProfile(train.map(flatRow), RETRAIN_SCHEMA),
    label: 'label',
    idColumns: ID_COLUMNS,
    // The customer aggregates are checked for leakage only: a count over a trailing window grows
    // while the feed's history is shorter than the window (disputes_30d in the first 30 days), so the
    // [min, max] of the previous weeks is no contract for them (1.6% of week 2 above it, seed 1).
    extraFeatures: ACTIVITY_FEATURES,
  });
  const failed = gate.findings.filter((f) => !f.passed);
  const blocking = failed.filter((f) => !RECORDED_ONLY.has(f.expectation));
  return {
    problem:
      blocking.length === 0 ? null : `data gate on ${holdoutName}: ${blocking.map(findingLine).join('; ')}`,
    drifted: failed.filter((f) => f.expectation === 'distribution').map((f) => f.subject),
    expectations: gate.findings.length,
    failed: failed.map(findingLine),
  };
}

/** Holdout rows whose event id is also in the training window (any: the holdout is no evidence). */
export function holdoutOverlap(train: readonly FeedRow[], holdout: readonly FeedRow[]): number {
  const ids = new Set(train.map((r) => r.eventId));
  return holdout.filter((r) => ids.has(r.eventId)).length;
}
