/**
 * datagen's concept drift v1 -> v2 (Q4) measured with this package's AUC: the v1 rule ranks v1 labels
 * well and loses more than 0.1 AUC on v2 labels of bit-identical inputs, and v2 is learnable by its own
 * rule. The test lives here, not in datagen, because datagen sits below evaluation and may not import it.
 */
import { fraudProbability, generatePayments, type WindowSpec } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { rocAuc } from './auc.ts';

const window = (labelRule?: 'v2'): WindowSpec => ({
  seed: 41,
  size: 40_000,
  start: Date.UTC(2024, 0, 1),
  durationMs: 86_400_000,
  drift: labelRule ? { labelRule } : undefined,
});

describe('concept drift v1 -> v2 in datagen', () => {
  it('costs the v1 rule more than 0.1 AUC on v2 labels; v2 ranks its own labels well', () => {
    const v1 = generatePayments(window());
    const v2 = generatePayments(window('v2'));
    const score = v1.map((e) => fraudProbability(e, 'v1'));
    const onV1 = rocAuc(
      score,
      v1.map((e) => e.label),
    )!;
    const onV2 = rocAuc(
      score,
      v2.map((e) => e.label),
    )!;
    expect(onV1).toBeGreaterThan(0.75); // the rule is learnable: a good model exists
    expect(onV1 - onV2).toBeGreaterThan(0.1);
    const fresh = v2.map((e) => fraudProbability(e, 'v2'));
    expect(
      rocAuc(
        fresh,
        v2.map((e) => e.label),
      ),
    ).toBeGreaterThan(0.75);
  });
});
