/**
 * The training-set transform of the TF.js payments model (Q12: the transform that unit, golden and
 * determinism tests hold still): time-ordered rows -> a later holdout (the last quarter, as it would
 * be in production), the payments encoder fitted on the training part, optional extra numeric
 * columns standardized on it, optional encoder columns dropped, and the training rows in a seeded
 * order. `trainAndRegister` and the model gate both build their data with it, so the code CI tests
 * is the code production trains with.
 *
 * Order: a Fisher–Yates permutation from mulberry32(shuffleSeed). `shuffleSeed: null` draws a fresh
 * seed from the OS for each call, as an unset `random_state` does in scikit-learn: every run then
 * trains on another order, which the determinism expectation of the code gate exists to catch.
 */
import { randomInt } from 'node:crypto';
import { mulberry32, type PaymentEvent } from '@mlops-lab/datagen';
import { encodePayment, featureNames, fitPaymentStats, type PaymentStats } from '@mlops-lab/payments';
import { CiInputError } from './gate.ts';

/** A payment row; it may carry extra numeric columns an upstream job added, read by name. */
export type PaymentRow = PaymentEvent;

const column = (r: PaymentRow, name: string): unknown => (r as unknown as Record<string, unknown>)[name];

export interface TrainingSetSpec {
  /** Seed of the training-row order; null: a fresh OS-drawn seed each call (not reproducible). */
  shuffleSeed: number | null;
  /** Encoder columns left out (names from `featureNames`, e.g. `log_distanceKm`). */
  drop?: readonly string[];
  /** Numeric row columns appended after the encoder's, standardized on the training rows; null -> 0. */
  extraFeatures?: readonly string[];
  /** Share of the latest rows held out (default 0.25). */
  holdoutShare?: number;
}

export interface TrainingSet {
  stats: PaymentStats;
  /** Names of the vector's positions, after drops and extras. */
  features: string[];
  xTrain: number[][];
  yTrain: number[][];
  xHoldout: number[][];
  holdoutLabels: number[];
  /** Extra columns' mean / std on the training rows. */
  extras: { name: string; mean: number; std: number }[];
  trainRows: number;
  holdoutRows: number;
}

/** Deterministic permutation (mulberry32): tf's own `shuffle` uses Math.random and breaks seeding. */
export function permutation(n: number, seed: number): number[] {
  const rand = mulberry32(seed);
  const idx = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [idx[i], idx[j]] = [idx[j], idx[i]];
  }
  return idx;
}

function extraStats(rows: readonly PaymentRow[], name: string) {
  let n = 0;
  let sum = 0;
  let sq = 0;
  for (const r of rows) {
    const v = column(r, name);
    if (typeof v !== 'number' || !Number.isFinite(v)) continue;
    n++;
    sum += v;
    sq += v * v;
  }
  const mean = n > 0 ? sum / n : 0;
  const std = n > 1 ? Math.sqrt(Math.max(sq / n - mean * mean, 0)) : 1;
  return { name, mean, std: std > 1e-9 ? std : 1 };
}

/** Builds the training set; refuses unknown drops, missing extra columns and a too-small input first. */
export function buildTrainingSet(rows: readonly PaymentRow[], spec: TrainingSetSpec): TrainingSet {
  const share = spec.holdoutShare ?? 0.25;
  if (!(share > 0 && share < 1)) throw new CiInputError(`holdoutShare must be in (0, 1), got ${share}`);
  if (rows.length < 8) throw new CiInputError(`a training set needs at least 8 rows, got ${rows.length}`);
  if (spec.shuffleSeed !== null && !(Number.isSafeInteger(spec.shuffleSeed) && spec.shuffleSeed >= 0))
    throw new CiInputError(`shuffleSeed must be an integer >= 0 or null, got ${spec.shuffleSeed}`);
  for (const c of spec.extraFeatures ?? []) {
    if (!(c in rows[0])) throw new CiInputError(`extra feature column ${c} is not in the rows`);
  }
  const cut = Math.floor(rows.length * (1 - share));
  const train = rows.slice(0, cut);
  const holdout = rows.slice(cut);
  const stats = fitPaymentStats(train);
  const names = featureNames(stats);
  const dropped = new Set(spec.drop ?? []);
  for (const d of dropped) {
    if (!names.includes(d))
      throw new CiInputError(`cannot drop ${d}: the encoder's columns are ${names.join(', ')}`);
  }
  const keep = names.map((n) => !dropped.has(n));
  const extras = (spec.extraFeatures ?? []).map((c) => extraStats(train, c));
  const encode = (r: PaymentRow): number[] => {
    const v = encodePayment(r, stats).filter((_, i) => keep[i]);
    for (const e of extras) {
      const x = column(r, e.name);
      v.push(typeof x === 'number' && Number.isFinite(x) ? (x - e.mean) / e.std : 0);
    }
    return v;
  };
  const order = permutation(train.length, spec.shuffleSeed ?? randomInt(2 ** 31));
  return {
    stats,
    features: [...names.filter((_, i) => keep[i]), ...extras.map((e) => e.name)],
    xTrain: order.map((i) => encode(train[i])),
    yTrain: order.map((i) => [train[i].label]),
    xHoldout: holdout.map(encode),
    holdoutLabels: holdout.map((r) => r.label),
    extras,
    trainRows: train.length,
    holdoutRows: holdout.length,
  };
}
