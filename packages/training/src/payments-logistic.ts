/**
 * A small, real payments model trained in process (Q16): logistic regression (`trainLogistic`) on
 * the payments encoder's rows of a seeded window, as a ServableModel. It needs no TF.js, registry or
 * artifact, so server and router tests and benchmarks start one in milliseconds and still serve the
 * same request contract and transform as a registered model.
 */
import { generatePayments } from '@mlops-lab/datagen';
import { encodePayment, fitPaymentStats, paymentBody } from '@mlops-lab/payments';
import { predictLogistic, trainLogistic } from './logistic.ts';
import { PAYMENTS_INPUT_SCHEMA, type ServableModel } from './servable.ts';

/** Trains on `size` seeded payments of one day (deterministic for the same options). */
export function trainPaymentsLogistic({ seed = 1, size = 2000, epochs = 200 } = {}): ServableModel {
  const events = generatePayments({ seed, size, start: 0, durationMs: 86_400_000 });
  const stats = fitPaymentStats(events);
  const model = trainLogistic(
    events.map((e) => Float64Array.from(encodePayment(e, stats))),
    events.map((e) => e.label),
    { epochs },
  );
  const samples = events.slice(0, 64).map(paymentBody);
  return {
    name: 'payments-logistic',
    version: `seed${seed}`,
    inputSchema: PAYMENTS_INPUT_SCHEMA,
    preprocess: (input) => encodePayment(input, stats),
    predict: async (rows) => Float32Array.from(rows, (x) => predictLogistic(model, Float64Array.from(x))),
    sampleInput: (i) => samples[i % samples.length],
  };
}
