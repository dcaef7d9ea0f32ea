/**
 * Payments of the synthetic world as the request bodies a client sends (Q16, Q19): what tests,
 * warm-up and load generators post to a payments model. The mapping is the one place that decides
 * how a recorded payment (nullable fields, a label) becomes a valid PaymentRequest.
 */
import { generatePayments, type PaymentEvent } from '@mlops-lab/datagen';
import type { PaymentRequest } from './request.ts';

/** The request fields of a payment; the API has no nulls, so a missing value is sent as its default. */
export function paymentBody(e: PaymentEvent): PaymentRequest {
  return {
    amount: e.amount ?? 0,
    hourOfDay: e.hourOfDay ?? 0,
    deviceAgeDays: e.deviceAgeDays ?? 0,
    distanceKm: e.distanceKm ?? 0,
    channel: (e.channel ?? 'web') as PaymentRequest['channel'],
    ...(e.merchantCategory ? { merchantCategory: e.merchantCategory } : {}),
  };
}

/** `size` seeded payments of one day as request bodies: the same seed gives the same bodies. */
export function paymentBodies(seed: number, size: number): PaymentRequest[] {
  return generatePayments({ seed, size, start: 0, durationMs: 86_400_000 }).map(paymentBody);
}
