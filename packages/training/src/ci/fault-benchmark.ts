/**
 * ML CI as a bug-injection benchmark (Q11, Q12; the idea of CheckList and the ML Test Score made
 * measurable): seeded faults, each a bad change to the data or to the candidate, put through the
 * three gates, and clean changes under other seeds; the report counts faults caught (and by which
 * expectation) and clean runs failed. No services: the sample, the production model and the
 * reference profile are built in process, as the ml-ci lab builds them in Postgres.
 *
 *   npx tsx packages/training/src/ci/fault-benchmark.ts [--clean 20] [--size 4000]
 */
import { fraudDisputes, generatePayments, mixSeed, mulberry32, type PaymentEvent } from '@mlops-lab/datagen';
import { buildProfile } from '@mlops-lab/drift';
import { encodePayment } from '@mlops-lab/payments';
import { parseCommandLine, runCommand, UsageError } from '@mlops-lab/services';
import { fitModel, predictRows } from '../tf-model.ts';
import { loadTf } from '../tfjs.ts';
import type { CandidateSpec, ProductionModel } from './model-gate.ts';
import { PAYMENTS_PROFILE_SCHEMA } from './payments-source.ts';
import { runModelCi } from './run.ts';
import { buildTrainingSet } from './training-set.ts';

const WEEK = 7 * 86_400_000;
const GOOD: CandidateSpec = { seed: 11, shuffleSeed: 11, epochs: 14 };
type Rows = PaymentEvent[];
const swapped = <T>(rows: Rows, f: (e: Rows[number], i: number) => T) => rows.map(f) as unknown as Rows;

/** A fault: what it does to the rows and to the candidate. */
interface Fault {
  name: string;
  rows?: (rows: Rows, seed: number) => Rows;
  candidate?: Partial<CandidateSpec>;
}

const FAULTS: Fault[] = [
  {
    name: 'schema-change (amount renamed)',
    rows: (r) => swapped(r, ({ amount, ...e }) => ({ ...e, amount_usd: amount })),
  },
  {
    name: 'type change (amount as text)',
    rows: (r) => swapped(r, (e) => ({ ...e, amount: e.amount === null ? null : String(e.amount) })),
  },
  {
    name: 'leaky feature (disputes after the payment)',
    rows: (r, seed) => {
      const disputed = new Set(fraudDisputes(r, seed).map((d) => d.eventId));
      return swapped(r, (e) => ({ ...e, disputes_next_30d: disputed.has(e.eventId) ? 1 : 0 }));
    },
    candidate: { extraFeatures: ['disputes_next_30d'] },
  },
  { name: 'worse model (two features dropped)', candidate: { drop: ['log_amount', 'log_distanceKm'] } },
  { name: 'nondeterministic transform', candidate: { shuffleSeed: null } },
  {
    name: 'shuffled labels',
    rows: (r, seed) => {
      const y = r.map((e) => e.label);
      const rnd = mulberry32(seed);
      for (let i = y.length - 1; i > 0; i--) {
        const j = Math.floor(rnd() * (i + 1));
        [y[i], y[j]] = [y[j], y[i]];
      }
      return swapped(r, (e, i) => ({ ...e, label: y[i] }));
    },
  },
  { name: 'label flip (1 - label)', rows: (r) => swapped(r, (e) => ({ ...e, label: 1 - e.label })) },
  {
    name: 'unit change (amount x100)',
    rows: (r) => swapped(r, (e) => ({ ...e, amount: e.amount === null ? null : e.amount * 100 })),
  },
  {
    name: 'swapped columns (device age <-> distance)',
    rows: (r) => swapped(r, (e) => ({ ...e, deviceAgeDays: e.distanceKm, distanceKm: e.deviceAgeDays })),
  },
  {
    name: 'null burst (distance 30% null)',
    rows: (r) => swapped(r, (e, i) => ({ ...e, distanceKm: i % 10 < 3 ? null : e.distanceKm })),
  },
  {
    name: 'duplicates across the split',
    rows: (r) => {
      const cut = Math.floor(r.length * 0.75);
      const dup = r.slice(cut, cut + Math.floor((r.length - cut) / 2));
      return [...dup.map((e) => ({ ...e, eventId: `${e.eventId}_copy` })), ...r.slice(dup.length)];
    },
  },
];

async function world(seed: number, size: number) {
  const rows = generatePayments({
    seed: mixSeed(seed, 'sample'),
    size,
    start: Date.UTC(2024, 0, 1),
    durationMs: WEEK,
  });
  const reference = generatePayments({ seed: mixSeed(seed, 'reference'), size, start: 0, durationMs: WEEK });
  const profile = buildProfile(reference, PAYMENTS_PROFILE_SCHEMA, { createdAt: new Date(0) });
  const { tf } = await loadTf({ log: () => {} });
  const base: CandidateSpec = { seed, shuffleSeed: seed, epochs: 10 };
  const set = buildTrainingSet(rows, base);
  const model = await fitModel(tf, set, base.seed, base.epochs);
  const production: ProductionModel = {
    ref: 'production',
    preprocess: (e) => encodePayment(e, set.stats),
    predict: (x) => predictRows(tf, model, x),
  };
  return { rows, profile, production, dispose: () => model.dispose() };
}

async function main(): Promise<number> {
  const { values } = parseCommandLine(['clean', 'size']);
  const clean = Number(values.clean ?? '20');
  const size = Number(values.size ?? '4000');
  if (!Number.isInteger(clean) || clean < 0 || clean > 200)
    throw new UsageError(`--clean must be an integer 0..200, got ${values.clean}`);
  if (!Number.isInteger(size) || size < 400 || size > 100_000)
    throw new UsageError(`--size must be an integer 400..100000, got ${values.size}`);
  const w = await world(1, size);
  let caught = 0;
  console.log(`faults on a ${size}-row sample (seed 1):`);
  for (const f of FAULTS) {
    const rows = f.rows ? f.rows(w.rows, 1) : w.rows;
    const r = await runModelCi({
      rows,
      candidate: { ...GOOD, ...f.candidate },
      production: w.production,
      profile: w.profile,
    });
    if (!r.passed) caught++;
    const first = r.gates.flatMap((g) =>
      g.findings.filter((x) => !x.passed).map((x) => `${g.gate}: ${x.expectation} ${x.subject}`),
    );
    console.log(
      `  ${r.passed ? 'MISSED' : 'caught'}  ${f.name.padEnd(44)} ${first.slice(0, 3).join('; ') || '-'}`,
    );
  }
  w.dispose();
  let falseFailures = 0;
  for (let s = 2; s < 2 + clean; s++) {
    const c = await world(s, size);
    const r = await runModelCi({
      rows: c.rows,
      candidate: { ...GOOD, seed: s + 100, shuffleSeed: s + 100 },
      production: c.production,
      profile: c.profile,
    });
    c.dispose();
    if (!r.passed) {
      falseFailures++;
      console.log(`  false failure, seed ${s}: ${r.gates.flatMap((g) => g.reasons).join(' | ')}`);
    }
  }
  console.log(`caught ${caught}/${FAULTS.length} faults; ${falseFailures}/${clean} clean changes failed`);
  return 0;
}

runCommand('npx tsx packages/training/src/ci/fault-benchmark.ts [--clean N] [--size N]', main);
