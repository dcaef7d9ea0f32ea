/**
 * The retrain model's two halves (Q14, Q16): a server that computes `inputRow` per request and scores
 * the batch with `scoreInputRows` gives bit-identical scores to `scoreModel` on the same feed rows.
 */
import { generatePayments } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import type { FeedRow } from './data.ts';
import { inputRow, scoreInputRows, scoreModel, trainModel } from './model.ts';

const rows: FeedRow[] = generatePayments({ seed: 3, size: 600, start: 0, durationMs: 86_400_000 }).map(
  (p, i) => ({
    eventId: p.eventId,
    customerId: p.customerId,
    timestamp: p.timestamp,
    amount: p.amount ?? null,
    hourOfDay: p.hourOfDay ?? null,
    deviceAgeDays: p.deviceAgeDays ?? null,
    distanceKm: p.distanceKm ?? null,
    merchantCategory: p.merchantCategory ?? null,
    channel: p.channel ?? null,
    label: p.label,
    activity: { txn_count_7d: i % 7, avg_amount_7d: i % 5 === 0 ? null : 40 + (i % 13), disputes_30d: i % 3 },
    week: 0,
  }),
);

describe('retrain model: input rows, then scores', () => {
  it('inputRow + scoreInputRows equal scoreModel, bit for bit', () => {
    const model = trainModel(rows, 20);
    const split = scoreInputRows(
      model,
      rows.map((r) => inputRow(model, r)),
    );
    expect(Array.from(split)).toEqual(Array.from(scoreModel(model, rows)));
    expect(new Set(Array.from(split)).size).toBeGreaterThan(100);
  });
});
