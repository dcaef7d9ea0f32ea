/**
 * Simulated traffic and the served-feature log (Q5): the fraud service handles each day's requests
 * and appends what it served (request id, entity, time, the feature vector, the score) to a Redis
 * Stream; a logger in a consumer group drains the stream into Postgres `served_features`. Logging
 * the served vector, not just the prediction, is what makes skew findable at all: without it there
 * is nothing to recompute and compare against (the same pattern as labs/drift/monitor.ts).
 */
import type { PaymentEvent } from '@mlops-lab/datagen';
import type { Services } from '@mlops-lab/services';
import type { FraudService, ScoringRequest, ServedRecord } from './serving.ts';

export const loggerMigrations = [
  {
    id: '001_served_features',
    sql: `
      CREATE TABLE served_features (
        request_id text PRIMARY KEY, event_id text NOT NULL, customer_id text NOT NULL,
        ts timestamptz NOT NULL, day int NOT NULL, artifact_version int NOT NULL,
        hour_of_day int, amount_z float8, distance_km float8, device_age_days int,
        merchant_category text, channel text, txn_count_7d float8, score float8 NOT NULL);
      CREATE INDEX served_features_day ON served_features (day);`,
  },
];

const GROUP = 'served-log';

/** What the payment gateway sends: the recorded payment minus the label (known weeks later). */
export function toRequest(e: PaymentEvent, requestId: string): ScoringRequest {
  return {
    requestId,
    eventId: e.eventId,
    customerId: e.customerId,
    timestamp: e.timestamp,
    amount: e.amount,
    distanceKm: e.distanceKm,
    deviceAgeDays: e.deviceAgeDays,
    merchantCategory: e.merchantCategory,
    channel: e.channel,
    country: e.country,
  };
}

/**
 * Serves every day in order. Within a day, customers run concurrently and each customer's requests
 * in time order: the online store is keyed by customer, so this keeps every read exactly as it would
 * be at its request time while Redis round trips overlap.
 */
async function produce(services: Services, service: FraudService, days: PaymentEvent[][]) {
  const stream = services.key('served');
  let served = 0;
  for (const [index, events] of days.entries()) {
    const day = index + 1;
    const byCustomer = new Map<string, ScoringRequest[]>();
    events.forEach((e, i) => {
      const list = byCustomer.get(e.customerId) ?? [];
      list.push(toRequest(e, `req-${day}-${String(i).padStart(5, '0')}`));
      byCustomer.set(e.customerId, list);
    });
    await Promise.all(
      [...byCustomer.values()].map(async (requests) => {
        for (const r of requests) {
          const record = await service.handle(r, day);
          await services.redis.xadd(stream, '*', 'served', JSON.stringify(record));
          served++;
        }
      }),
    );
  }
  await services.redis.xadd(stream, '*', 'end', '1');
  return served;
}

async function insertBatch(services: Services, batch: ServedRecord[]) {
  if (batch.length === 0) return;
  const col = <T>(f: (r: ServedRecord) => T) => batch.map(f);
  await services.pg.query(
    `INSERT INTO served_features
     SELECT r, e, c, to_timestamp(ms / 1000.0), d, v, h, az, dk, dev, m, ch, n, s
     FROM unnest($1::text[], $2::text[], $3::text[], $4::bigint[], $5::int[], $6::int[], $7::int[],
                 $8::float8[], $9::float8[], $10::int[], $11::text[], $12::text[], $13::float8[], $14::float8[])
       AS t(r, e, c, ms, d, v, h, az, dk, dev, m, ch, n, s)`,
    [
      col((r) => r.requestId),
      col((r) => r.eventId),
      col((r) => r.customerId),
      col((r) => r.timestamp),
      col((r) => r.day),
      col((r) => r.artifactVersion),
      col((r) => r.features.hour_of_day),
      col((r) => r.features.amount_z),
      col((r) => r.features.distance_km),
      col((r) => r.features.device_age_days),
      col((r) => r.features.merchant_category),
      col((r) => r.features.channel),
      col((r) => r.features.txn_count_7d),
      col((r) => r.score),
    ],
  );
}

/** The logger: drains the stream into Postgres until the producer's end marker. */
async function consume(services: Services): Promise<number> {
  const reader = services.redis.duplicate();
  const stream = services.key('served');
  let logged = 0;
  try {
    for (let ended = false; !ended; ) {
      const reply = (await reader.xreadgroup(
        'GROUP',
        GROUP,
        'logger-1',
        'COUNT',
        2000,
        'BLOCK',
        2000,
        'STREAMS',
        stream,
        '>',
      )) as [string, [string, string[]][]][] | null;
      if (!reply) continue;
      const batch: ServedRecord[] = [];
      const ids: string[] = [];
      for (const [id, [kind, value]] of reply[0][1]) {
        ids.push(id);
        if (kind === 'served') batch.push(JSON.parse(value) as ServedRecord);
        else if (kind === 'end') ended = true;
      }
      // Insert, then acknowledge: a logger that dies in between re-reads the entries, never loses them.
      await insertBatch(services, batch);
      await reader.xack(stream, GROUP, ...ids);
      logged += batch.length;
    }
  } finally {
    reader.disconnect();
  }
  return logged;
}

/** Runs the service and the logger concurrently, as two processes would. */
export async function serveTraffic(services: Services, service: FraudService, days: PaymentEvent[][]) {
  await services.redis.xgroup('CREATE', services.key('served'), GROUP, '$', 'MKSTREAM');
  const [served, logged] = await Promise.all([produce(services, service, days), consume(services)]);
  return { served, logged };
}
