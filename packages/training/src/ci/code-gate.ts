/**
 * The code gate of ML CI (Q11 "code CI", Q12 "unit tests on transformations, golden tests"): the
 * transforms a candidate trains with, checked in-process so a CI job needs no test runner:
 *
 * - golden encoder: `encodePayment` on fixed inputs (nulls, unseen categories, clipped and negative
 *   values, hour boundaries) equals values computed from the encoder's definition by an independent
 *   Python script (golden/make_transform_golden.py), to 1e-12.
 * - golden training set: the reference spec on the fixed sample hashes to the recorded sha256
 *   (golden/training-set.json): any change in split, encoding or order shows here.
 * - determinism: the candidate's spec, built twice on the same input, gives the same bytes (an
 *   unseeded shuffle or a clock read in a transform fails it).
 * - behaviour (CheckList's invariance and directional tests, Ribeiro et al. 2020, as seeded
 *   property cases): the vector does not depend on fields the model must ignore (event and customer
 *   ids, country), a larger amount never gives a smaller amount feature, and the night flag is set
 *   exactly for hours 0-5.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { generatePayments, mulberry32, type PaymentEvent } from '@mlops-lab/datagen';
import { encodePayment, featureNames, type PaymentInput, type PaymentStats } from '@mlops-lab/payments';
import { type Finding, finding, type GateResult, gateResult } from './gate.ts';
import { buildTrainingSet, type TrainingSet, type TrainingSetSpec } from './training-set.ts';

const golden = (name: string) =>
  JSON.parse(readFileSync(new URL(`./golden/${name}`, import.meta.url), 'utf8'));

/** The fixed sample the golden training set is built from, and its spec. */
export const GOLDEN_SAMPLE = {
  seed: 7,
  size: 400,
  start: Date.UTC(2024, 0, 1),
  durationMs: 7 * 86_400_000,
} as const;
export const GOLDEN_SPEC: TrainingSetSpec = { shuffleSeed: 7 };

/** sha256 over a training set's feature names, float64 matrices and labels. */
export function trainingSetHash(set: TrainingSet): string {
  const h = createHash('sha256').update(JSON.stringify(set.features));
  for (const m of [set.xTrain, set.yTrain, set.xHoldout]) {
    for (const row of m) h.update(new Uint8Array(Float64Array.from(row).buffer));
  }
  h.update(new Uint8Array(Float64Array.from(set.holdoutLabels).buffer));
  return h.digest('hex');
}

function goldenEncoder(): Finding {
  const g = golden('transform.json') as {
    stats: PaymentStats;
    cases: { input: PaymentInput; expected: number[] }[];
  };
  let worst = 0;
  let at = '';
  for (const [i, c] of g.cases.entries()) {
    const got = encodePayment(c.input, g.stats);
    if (got.length !== c.expected.length) {
      return finding(
        'golden',
        'encodePayment',
        false,
        `case ${i}: ${got.length} values, expected ${c.expected.length}`,
      );
    }
    for (let j = 0; j < got.length; j++) {
      const d = Math.abs(got[j] - c.expected[j]);
      if (!(d <= worst)) {
        worst = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
        at = `case ${i} ${featureNames(g.stats)[j]}: ${got[j]} vs ${c.expected[j]}`;
      }
    }
  }
  const ok = worst <= 1e-12;
  return finding(
    'golden',
    'encodePayment',
    ok,
    ok
      ? `${g.cases.length} cases match the reference values, max |diff| ${worst.toExponential(1)} <= 1e-12`
      : `max |diff| ${worst.toExponential(2)} > 1e-12 at ${at}`,
  );
}

function goldenTrainingSet(): Finding {
  const want = golden('training-set.json').sha256 as string;
  const got = trainingSetHash(buildTrainingSet(generatePayments(GOLDEN_SAMPLE), GOLDEN_SPEC));
  return finding(
    'golden',
    'buildTrainingSet',
    got === want,
    got === want
      ? `reference spec on the fixed sample hashes to the recorded ${want.slice(0, 12)}`
      : `sha256 ${got.slice(0, 12)} differs from the recorded ${want.slice(0, 12)}: split, encoding or order changed`,
  );
}

function determinism(sample: readonly PaymentEvent[], spec: TrainingSetSpec): Finding {
  const a = trainingSetHash(buildTrainingSet(sample, spec));
  const b = trainingSetHash(buildTrainingSet(sample, spec));
  return finding(
    'determinism',
    'buildTrainingSet',
    a === b,
    a === b
      ? `two builds of the candidate's training set on the same ${sample.length} rows are identical (${a.slice(0, 12)})`
      : `two builds on the same ${sample.length} rows differ (${a.slice(0, 12)} vs ${b.slice(0, 12)}): an unseeded random source or a clock in the transform`,
  );
}

function behaviour(sample: readonly PaymentEvent[], stats: PaymentStats): Finding[] {
  const rand = mulberry32(20240101);
  const names = featureNames(stats);
  const amountAt = names.indexOf('log_amount');
  const nightAt = names.indexOf('night');
  let invariance = 0;
  let directional = 0;
  let night = 0;
  const cases = Math.min(sample.length, 200);
  for (let i = 0; i < cases; i++) {
    const e = sample[Math.floor(rand() * sample.length)];
    const base = JSON.stringify(encodePayment(e, stats));
    const renamed = { ...e, eventId: `x${i}`, customerId: `c${i}`, country: 'ZZ' };
    if (JSON.stringify(encodePayment(renamed, stats)) !== base) invariance++;
    if (e.amount !== null) {
      const more = encodePayment({ ...e, amount: e.amount * (1 + rand() * 3) }, stats);
      if (more[amountAt] < encodePayment(e, stats)[amountAt]) directional++;
    }
    const h = Math.floor(rand() * 24);
    if (encodePayment({ ...e, hourOfDay: h }, stats)[nightAt] !== (h <= 5 ? 1 : 0)) night++;
  }
  return [
    finding(
      'invariance',
      'encodePayment',
      invariance === 0,
      `${invariance}/${cases} vectors changed with event id, customer id or country`,
    ),
    finding(
      'directional',
      'log_amount',
      directional === 0,
      `${directional}/${cases} larger amounts gave a smaller amount feature`,
    ),
    finding(
      'minimum functionality',
      'night',
      night === 0,
      `${night}/${cases} hours got the wrong night flag (0-5 is night)`,
    ),
  ];
}

/** Runs the code expectations for a candidate's training-set spec on `sample` (time-ordered rows). */
export function codeGate(sample: readonly PaymentEvent[], spec: TrainingSetSpec): GateResult {
  const reference = buildTrainingSet(sample, { ...spec, shuffleSeed: 1 });
  const findings = [
    goldenEncoder(),
    goldenTrainingSet(),
    determinism(sample, spec),
    ...behaviour(sample, reference.stats),
  ];
  return gateResult('code', findings, {
    expectations: findings.length,
    failed: findings.filter((f) => !f.passed).length,
  });
}
