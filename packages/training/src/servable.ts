/**
 * What a server needs from a trained payments model (Q16, Q18): the schema of the request its inputs
 * arrive in, its own transform (the payments encoder with the stats it was trained with), batched
 * scores and valid requests to warm up on. The model travels with its featurization, so a server
 * adapts any ServableModel to its own contract (model-server's `fromLoadedModel`) without knowing
 * the domain: it checks bodies against `inputSchema`, then calls `preprocess`.
 */
import { type PaymentInput, PaymentRequest, paymentBodies } from '@mlops-lab/payments';

export interface ServableModel {
  readonly name: string;
  readonly version: number | string;
  /** JSON Schema of a request body; a body that passed it is a valid `preprocess` input. */
  readonly inputSchema: Record<string, unknown>;
  /** The model's transform, bound to its fitted stats: request (or recorded payment) -> input row. */
  preprocess(input: PaymentInput): number[];
  /** Fraud probabilities for preprocessed rows, one per row. */
  predict(rows: number[][]): Promise<Float32Array>;
  /** A valid request (i varies it): warm-up runs the full path on these. */
  sampleInput(i: number): PaymentRequest;
}

/** Every model this package trains reads a payment request. */
export const PAYMENTS_INPUT_SCHEMA: Record<string, unknown> = PaymentRequest;

let samples: PaymentRequest[] | undefined;

/** Seeded request bodies for warm-up, generated once per process on first use. */
export function warmupSample(i: number): PaymentRequest {
  samples ??= paymentBodies(5, 64);
  return samples[i % samples.length];
}
