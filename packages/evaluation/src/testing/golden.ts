/**
 * Test support: reads the numpy / scipy golden files written by golden/make_golden.py, and the
 * relative error the golden tests bound.
 */
import { readFileSync } from 'node:fs';

export function readGolden<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../../golden/${file}`, import.meta.url), 'utf8')) as T;
}

/** |ours - ref| / |ref| (an absolute error where ref is 0). */
export const rel = (ours: number, ref: number) => Math.abs(ours - ref) / Math.max(Math.abs(ref), 1e-15);

/** A golden DeLong case (golden/delong.json): both models' scores, the labels and scipy's numbers. */
export interface DeLongCase {
  name: string;
  margin: number;
  input: { champion: number[]; challenger: number[]; labels: number[] };
  expected: {
    champion: number;
    challenger: number;
    delta: number;
    se: number;
    z: number;
    p: number;
    positives: number;
    negatives: number;
  };
}

export const delongGolden = () =>
  readGolden<{ cases: DeLongCase[]; bootstrap: { case: number; seed: number; deltas: number[] } }>(
    'delong.json',
  );
