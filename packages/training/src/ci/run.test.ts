/**
 * A tiny end-to-end run of ML CI on the payments world (Q12): a production model trained on a fixed
 * sample, then the ci run on a good change and on each bad one; each bad change fails exactly the
 * gate meant to catch it, and the run's exit code says so.
 */
import { generatePayments, type PaymentEvent } from '@mlops-lab/datagen';
import { buildProfile } from '@mlops-lab/drift';
import { encodePayment } from '@mlops-lab/payments';
import { describe, expect, it } from 'vitest';
import { fitModel, predictRows } from '../tf-model.ts';
import { loadTf } from '../tfjs.ts';
import type { CandidateSpec, ProductionModel } from './model-gate.ts';
import { PAYMENTS_PROFILE_SCHEMA } from './payments-source.ts';
import { runModelCi } from './run.ts';
import { buildTrainingSet } from './training-set.ts';

const DAY = 86_400_000;
const rows = generatePayments({ seed: 21, size: 4000, start: Date.UTC(2024, 0, 1), durationMs: 7 * DAY });
const profile = buildProfile(
  generatePayments({ seed: 22, size: 4000, start: 0, durationMs: 7 * DAY }),
  PAYMENTS_PROFILE_SCHEMA,
  { createdAt: new Date(0) },
);
const base: CandidateSpec = { seed: 7, epochs: 10, shuffleSeed: 7 };

async function production(): Promise<ProductionModel> {
  const { tf } = await loadTf({ log: () => {} });
  const set = buildTrainingSet(rows, base);
  const model = await fitModel(tf, set, base.seed, base.epochs);
  return {
    ref: 'production',
    preprocess: (e) => encodePayment(e, set.stats),
    predict: (x) => predictRows(tf, model, x),
  };
}

const failedGates = (r: Awaited<ReturnType<typeof runModelCi>>) =>
  r.gates.filter((g) => !g.passed).map((g) => g.gate);

describe('runModelCi end to end', () => {
  it('passes a good change and blocks each bad one at the gate meant for it', async () => {
    const prod = await production();
    const run = (candidate: CandidateSpec, data: readonly PaymentEvent[] = rows) =>
      runModelCi({ rows: data, candidate, production: prod, profile });

    const good = await run({ seed: 11, epochs: 14, shuffleSeed: 11 });
    expect(good.lines.at(-1)).toBe('ci:model PASS: the change may deploy');
    expect(good.exitCode).toBe(0);

    // An unseeded shuffle trains a different model each run: the code gate must catch that it is not
    // reproducible; whether that one random model also misses the model gate's tolerance is chance.
    const unseeded = failedGates(await run({ ...base, shuffleSeed: null }));
    expect(unseeded[0]).toBe('code');
    expect(unseeded).not.toContain('data');
    const worse = await run({ ...base, epochs: 1, drop: ['log_amount', 'log_distanceKm'] });
    expect(failedGates(worse)).toEqual(['model']);
    const flipped = await run(
      base,
      rows.map((e) => ({ ...e, label: e.label === 1 ? (0 as const) : (1 as const) })),
    );
    expect(failedGates(flipped)).toEqual(['model']);
    const failedModel = flipped.gates[2].findings.filter((f) => !f.passed).map((f) => f.expectation);
    expect(failedModel).toEqual(['labels vs production']);
    const renamed = rows.map(({ amount, ...rest }) => ({
      ...rest,
      amount_usd: amount,
    })) as unknown as PaymentEvent[];
    const schema = await run(base, renamed);
    expect(failedGates(schema)).toEqual(['data', 'model']);
    expect(schema.exitCode).toBe(1);
    expect(schema.lines).toContain(
      '    ✘ schema amount: missing in 4000/4000 rows, expected number (columns the reference does not know: amount_usd)',
    );
  }, 120_000);
});
