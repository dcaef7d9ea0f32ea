/**
 * A large seeded feature history for the offline benchmark and its scaling runs (Q7): `entities`
 * customers, each with a row every `stepMs` (jittered so some events tie), some rows rewritten later
 * by a backfill (created long after event), and entity rows asking at random times, some before any
 * history. Rows use the `entityId` shape, which the oracle and a one-key view's SQL path both accept,
 * so one array feeds both without a second copy.
 */
import { createRng, mixSeed } from '@mlops-lab/datagen';
import { defineFeatureView } from '../definitions.ts';
import type { FeatureView } from '../types.ts';

export interface HistoryOptions {
  entities: number;
  featureRows: number;
  entityRows: number;
  /** ms between an entity's consecutive rows (default one hour). */
  stepMs?: number;
  origin?: number;
}

export interface History {
  view: FeatureView;
  featureRows: {
    entityId: string;
    eventTimestamp: number;
    createdTimestamp: number;
    values: { amount_7d: number; txn_count_7d: number; segment: string | null };
  }[];
  entityRows: { entityId: string; timestamp: number }[];
}

const SEGMENTS = ['new', 'regular', 'vip', null];

/** The benchmark view: one join key, three features, a 2-day ttl. */
export function historyView(table: string): FeatureView {
  return defineFeatureView({
    name: table,
    entity: { name: 'customer', joinKeys: ['customer_id'] },
    source: { table, eventTimestampColumn: 'event_ts', createdTimestampColumn: 'created_ts' },
    features: [
      { name: 'amount_7d', type: 'float', description: 'sum of payment amounts over 7 days' },
      { name: 'txn_count_7d', type: 'int', description: 'number of payments over 7 days' },
      { name: 'segment', type: 'string', description: 'marketing segment' },
    ],
    ttlMs: 2 * 24 * 3600 * 1000,
    owner: 'payments-risk',
    description: 'customer activity aggregates',
  });
}

export function generateHistory(seed: number, table: string, options: HistoryOptions): History {
  const rng = createRng(mixSeed(seed, 'feature-history'));
  const step = options.stepMs ?? 3_600_000;
  const origin = options.origin ?? Date.UTC(2026, 0, 1);
  const perEntity = Math.max(1, Math.round(options.featureRows / options.entities));
  const ids = Array.from({ length: options.entities }, (_, i) => `c${String(i).padStart(6, '0')}`);
  const featureRows: History['featureRows'] = new Array(options.featureRows);
  for (let i = 0; i < options.featureRows; i++) {
    const e = i % options.entities;
    const k = Math.floor(i / options.entities);
    const event = origin + k * step + rng.int(0, 2) * 1000;
    // 5% are backfilled: written a week after the event they describe.
    const created = event + (rng.next() < 0.05 ? 7 * 86_400_000 : rng.int(1, 300) * 1000);
    featureRows[i] = {
      entityId: ids[e],
      eventTimestamp: event,
      createdTimestamp: created,
      values: {
        amount_7d: Math.round(rng.next() * 100_000) / 100,
        txn_count_7d: rng.int(0, 50),
        segment: SEGMENTS[rng.int(0, SEGMENTS.length - 1)],
      },
    };
  }
  const spanMs = (perEntity + 24) * step;
  const entityRows = Array.from({ length: options.entityRows }, () => ({
    entityId: ids[rng.int(0, ids.length - 1)],
    timestamp: origin - 12 * step + rng.int(0, spanMs),
  }));
  return { view: historyView(table), featureRows, entityRows };
}
