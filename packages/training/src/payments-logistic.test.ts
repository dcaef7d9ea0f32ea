/** The in-process payments model (Q16): deterministic, better than chance on later payments, servable. */
import { generatePayments } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { rocAuc } from './metrics.ts';
import { trainPaymentsLogistic } from './payments-logistic.ts';
import { PAYMENTS_INPUT_SCHEMA } from './servable.ts';

describe('trainPaymentsLogistic', () => {
  const model = trainPaymentsLogistic({ seed: 3, size: 1500, epochs: 100 });
  const later = generatePayments({ seed: 4, size: 3000, start: 0, durationMs: 86_400_000 });

  it('scores unseen payments better than chance, the same way every time', async () => {
    const rows = later.map((e) => model.preprocess(e));
    const scores = await model.predict(rows);
    expect(
      rocAuc(
        scores,
        later.map((e) => e.label),
      ),
    ).toBeGreaterThan(0.65);
    const again = trainPaymentsLogistic({ seed: 3, size: 1500, epochs: 100 });
    expect(await again.predict(rows)).toEqual(scores);
  });

  it('declares the payments request and warms up on requests it can encode', async () => {
    expect(model.inputSchema).toBe(PAYMENTS_INPUT_SCHEMA);
    const width = model.preprocess(later[0]).length;
    for (let i = 0; i < 70; i++) {
      const row = model.preprocess(model.sampleInput(i));
      expect(row).toHaveLength(width);
      expect(row.every(Number.isFinite)).toBe(true);
    }
  });
});
