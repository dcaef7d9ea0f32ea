/**
 * A small, real payments model for the server: logistic regression (`trainLogistic`) on standardized
 * features of the datagen payments world, wrapped as a ServingModel. `encodePayment` is the single
 * feature transform, used for training rows and for serving requests alike (Q16: same code, no skew).
 */
import { CHANNELS, generatePayments, type PaymentEvent } from '@mlops-lab/datagen';
import { fitStandardizer, type LogisticModel, standardize, trainLogistic } from '@mlops-lab/training';
import { Ajv } from 'ajv';
import { decide, InputValidationError, type ServingModel } from './model.ts';
import { type AjvIssue, issueField } from './validation.ts';

const NUMERIC = ['amount', 'hourOfDay', 'deviceAgeDays', 'distanceKm'] as const;

/** Request body schema: types and bounds here, so a bad body is refused before any model code runs. */
export const PAYMENT_SCHEMA = {
  type: 'object',
  required: ['amount', 'hourOfDay', 'deviceAgeDays', 'distanceKm', 'channel'],
  additionalProperties: false,
  properties: {
    amount: { type: 'number', minimum: 0, maximum: 1e7 },
    hourOfDay: { type: 'integer', minimum: 0, maximum: 23 },
    deviceAgeDays: { type: 'number', minimum: 0, maximum: 1e5 },
    distanceKm: { type: 'number', minimum: 0, maximum: 1e5 },
    channel: { type: 'string', enum: [...CHANNELS] },
    merchantCategory: { type: 'string', maxLength: 64 },
    country: { type: 'string', maxLength: 8 },
  },
} as const;

/** A validated request body: the payment fields every payments model reads. */
export interface PaymentBody {
  amount: number;
  hourOfDay: number;
  deviceAgeDays: number;
  distanceKm: number;
  channel: string;
  merchantCategory: string | null;
}

/** The same Ajv (Fastify's validator) over the same schema: the HTTP server and every other caller agree. */
const checkBody = new Ajv({ coerceTypes: false, removeAdditional: false, allErrors: false }).compile(
  PAYMENT_SCHEMA,
);

/**
 * Checks a body against PAYMENT_SCHEMA, naming the first bad field. The server's schema already did
 * this; the batch job and direct callers have no schema in front, so the model checks again, with
 * the same rules (bounds, integer hour, no unknown fields).
 */
export function validatePayment(body: unknown): PaymentBody {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new InputValidationError('body', 'must be a JSON object');
  }
  if (!checkBody(body)) {
    const e: AjvIssue = checkBody.errors?.[0] ?? {};
    throw new InputValidationError(issueField(e), e.message ?? 'invalid');
  }
  const b = body as unknown as Record<string, unknown>;
  return {
    amount: b.amount as number,
    hourOfDay: b.hourOfDay as number,
    deviceAgeDays: b.deviceAgeDays as number,
    distanceKm: b.distanceKm as number,
    channel: b.channel as string,
    merchantCategory: (b.merchantCategory as string | undefined) ?? null,
  };
}

/** Raw payment -> feature row (before standardization); log1p(amount) because amounts are log-normal. */
export function encodePayment(body: unknown): Float64Array {
  const p = validatePayment(body);
  const row = new Float64Array(NUMERIC.length + CHANNELS.length);
  NUMERIC.forEach((f, j) => {
    row[j] = f === 'amount' ? Math.log1p(p[f]) : p[f];
  });
  row[NUMERIC.length + CHANNELS.indexOf(p.channel as (typeof CHANNELS)[number])] = 1;
  return row;
}

/** A payment event as the request body a client sends: the model-facing fields, nulls filled as the API requires. */
export const paymentBody = (e: PaymentEvent) => ({
  amount: e.amount ?? 0,
  hourOfDay: e.hourOfDay ?? 0,
  deviceAgeDays: e.deviceAgeDays ?? 0,
  distanceKm: e.distanceKm ?? 0,
  channel: e.channel ?? 'web',
  ...(e.merchantCategory ? { merchantCategory: e.merchantCategory } : {}),
});

/** Payments as request bodies (nulls filled), for tests, warm-up and load generation. */
export function paymentBodies(seed: number, size: number): Record<string, unknown>[] {
  return generatePayments({ seed, size, start: 0, durationMs: 86_400_000 }).map(paymentBody);
}

/** Trains on `size` seeded payments (deterministic) and returns the model ready to serve. */
export function trainPaymentsModel({ seed = 1, size = 2000, epochs = 200 } = {}): ServingModel {
  const events = generatePayments({ seed, size, start: 0, durationMs: 86_400_000 });
  const raw = events.map((e) => encodePayment(paymentBody(e)));
  const scaler = fitStandardizer(raw);
  const rows = raw.map((r) => standardize(scaler, Float64Array.from(r)));
  const model = trainLogistic(
    rows,
    events.map((e) => e.label),
    { epochs },
  );
  const samples = events.slice(0, 64).map(paymentBody);
  return logisticServingModel('payments-logistic', `seed${seed}`, model, (body) =>
    Array.from(standardize(scaler, encodePayment(body))),
  ).withSamples(samples);
}

function logisticServingModel(
  name: string,
  version: string,
  m: LogisticModel,
  preprocess: (body: unknown) => number[],
) {
  const base = {
    name,
    version,
    inputSchema: PAYMENT_SCHEMA as unknown as Record<string, unknown>,
    preprocess,
    async predictBatch(rows: number[][]): Promise<Float32Array> {
      const out = new Float32Array(rows.length);
      for (let r = 0; r < rows.length; r++) {
        let z = m.bias;
        const x = rows[r];
        for (let j = 0; j < x.length; j++) z += m.weights[j] * x[j];
        out[r] = 1 / (1 + Math.exp(-z));
      }
      return out;
    },
    postprocess: decide,
  };
  return {
    withSamples: (samples: Record<string, unknown>[]): ServingModel => ({
      ...base,
      sampleInput: (i: number) => samples[i % samples.length],
    }),
  };
}
