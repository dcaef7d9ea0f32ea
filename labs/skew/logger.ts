/**
 * Simulated traffic and the served-feature log (Q5): the fraud service handles each day's requests
 * and appends what it served to the one prediction log of @mlops-lab/monitoring: the request id (the
 * payment's id, which the gateway sends with the authorization), the entity (the customer, as the
 * request key), the event time, the feature vector as served and the score. The log's consumer group
 * writes them to Postgres `prediction_log`. Logging the served vector, not just the prediction, is
 * what makes skew findable at all: without it there is nothing to recompute and compare against.
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import { PredictionLog, type PredictionRecord } from '@mlops-lab/monitoring';
import type { Services } from '@mlops-lab/services';
import type { FraudService, ScoringRequest, ServedRecord } from './serving.ts';

/** What the payment gateway sends: the payment without its label and hour, its id as the request id. */
function toRequest({ label, hourOfDay, ...payment }: PaymentEvent): ScoringRequest {
  return { requestId: payment.eventId, ...payment };
}

/** The log record of one served request; the model version names the feature artifact it served with. */
function toRecord(r: ServedRecord, latencyMs: number): PredictionRecord {
  return {
    requestId: r.requestId,
    modelVersion: `fraud+features-v${r.artifactVersion}`,
    at: r.timestamp,
    features: { ...r.features },
    score: r.score,
    decision: null,
    latencyMs,
    error: null,
    requestKey: r.customerId,
  };
}

/**
 * Serves every day in order and logs each answer without waiting on the log. Within a day, customers
 * run concurrently and each customer's requests in time order: the online store is keyed by customer,
 * so this keeps every read exactly as it would be at its request time while Redis round trips overlap.
 * Returns once every served vector is in Postgres.
 */
export async function serveTraffic(services: Services, service: FraudService, days: PaymentEvent[][]) {
  const log = await PredictionLog.open(services, { stream: services.key('served') });
  let served = 0;
  try {
    for (const [index, events] of days.entries()) {
      const day = index + 1;
      const byCustomer = new Map<string, ScoringRequest[]>();
      for (const e of events) {
        const list = byCustomer.get(e.customerId) ?? [];
        list.push(toRequest(e));
        byCustomer.set(e.customerId, list);
      }
      await Promise.all(
        [...byCustomer.values()].map(async (requests) => {
          for (const r of requests) {
            const t0 = performance.now();
            const record = await service.handle(r, day);
            log.append(toRecord(record, performance.now() - t0));
            served++;
          }
        }),
      );
    }
    await log.persisted();
    const { producer, consumer } = log.stats();
    return { served, logged: consumer.persisted, dropped: producer.dropped };
  } finally {
    await log.close();
  }
}
