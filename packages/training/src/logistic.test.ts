/** The labs' logistic regression: learns a known linear rule, deterministic, clear errors. */
import { createRng } from '@mlops-lab/datagen';
import { describe, expect, it } from 'vitest';
import { fitStandardizer, predictLogistic, standardize, trainLogistic } from './logistic.ts';
import { rocAuc } from './metrics.ts';

function linearWorld(seed: number, n: number) {
  const rng = createRng(seed);
  const rows: Float64Array[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const x = Float64Array.of(rng.normal(), rng.normal() * 10 + 5, rng.normal());
    const p = 1 / (1 + Math.exp(-(2 * x[0] - 0.3 * (x[1] - 5))));
    rows.push(x);
    labels.push(rng.next() < p ? 1 : 0);
  }
  return { rows, labels };
}

describe('trainLogistic', () => {
  it('recovers the sign and ranking of a known rule; the noise feature stays small', () => {
    const { rows, labels } = linearWorld(1, 4000);
    const s = fitStandardizer(rows);
    const x = rows.map((r) => standardize(s, Float64Array.from(r)));
    const model = trainLogistic(x, labels);
    expect(model.weights[0]).toBeGreaterThan(1);
    expect(model.weights[1]).toBeLessThan(-1);
    expect(Math.abs(model.weights[2])).toBeLessThan(0.2);
    const auc = rocAuc(
      x.map((r) => predictLogistic(model, r)),
      labels,
    );
    expect(auc).toBeGreaterThan(0.85);
  });

  it('is deterministic and rejects bad input', () => {
    const { rows, labels } = linearWorld(2, 200);
    expect(trainLogistic(rows, labels, { epochs: 20 })).toEqual(trainLogistic(rows, labels, { epochs: 20 }));
    expect(() => trainLogistic([], [])).toThrow('no rows');
    expect(() => trainLogistic(rows, labels.slice(1))).toThrow('labels');
  });

  it('standardizer: NaN is missing (becomes 0), a constant column gets std 1', () => {
    const s = fitStandardizer([Float64Array.of(1, 3), Float64Array.of(3, 3), Float64Array.of(Number.NaN, 3)]);
    expect(Array.from(s.means)).toEqual([2, 3]);
    expect(s.stds[1]).toBe(1);
    expect(Array.from(standardize(s, Float64Array.of(Number.NaN, 3)))).toEqual([0, 0]);
  });
});
