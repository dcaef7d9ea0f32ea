/**
 * Test support: reads the scipy golden files written by golden/make_golden.py and replays the seeded
 * sample generators they describe (same mulberry32 stream, same exactly-rounded arithmetic, so the
 * samples are bit-identical to the ones scipy saw).
 */
import { readFileSync } from 'node:fs';
import { mulberry32 } from '@mlops-lab/datagen';

export interface GenSpec {
  gen: 'mulberry32';
  seed: number;
  n: number;
  kind: 'uniform' | 'int' | 'irwin';
  scale: number;
  shift: number;
}

export type SampleSpec = number[] | GenSpec;

export function readGolden<T>(file: string): T {
  return JSON.parse(readFileSync(new URL(`../../golden/${file}`, import.meta.url), 'utf8')) as T;
}

export function generate(spec: GenSpec): Float64Array {
  const rnd = mulberry32(spec.seed);
  const out = new Float64Array(spec.n);
  for (let i = 0; i < spec.n; i++) {
    if (spec.kind === 'uniform') out[i] = rnd() * spec.scale + spec.shift;
    else if (spec.kind === 'int') out[i] = Math.floor(rnd() * spec.scale) + spec.shift;
    else out[i] = (rnd() + rnd() + rnd() + rnd() - 2.0) * spec.scale + spec.shift;
  }
  return out;
}

export function sample(spec: SampleSpec): Float64Array {
  return Array.isArray(spec) ? Float64Array.from(spec) : generate(spec);
}

/** |ours - ref| <= abs, and for tiny positive references also relative error <= rel. */
export function closeTo(ours: number, ref: number, abs = 1e-6, rel = 1e-6): boolean {
  const d = Math.abs(ours - ref);
  if (d > abs) return false;
  if (ref > 0 && ref < 1e-3 && ref > 1e-290) return d / ref <= rel;
  return true;
}

/** Normal-ish seeded sample (sum of 4 uniforms, sd 1 after scaling) for tests and benchmarks. */
export function bell(seed: number, n: number, mean = 0, sd = 1): Float64Array {
  const rnd = mulberry32(seed);
  const out = new Float64Array(n);
  const k = sd * Math.sqrt(3);
  for (let i = 0; i < n; i++) out[i] = (rnd() + rnd() + rnd() + rnd() - 2) * k + mean;
  return out;
}
