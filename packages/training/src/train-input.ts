/**
 * The numbers `trainAndRegister` and `pnpm train` accept, with their limits in one place, so both
 * refuse a bad value the same way and before any work (no TF.js load, no artifact, no database).
 */
import { RegistryError } from '@mlops-lab/registry';

export const TRAIN_LIMITS = {
  // 400 generated payments leave a holdout of 100, which held both classes for each of 200 seeds
  // tried (fraud is ~11%); at 100 one seed in seven gave a one-class holdout, whose AUC is undefined.
  size: { min: 400, max: 1_000_000, why: 'a smaller holdout can miss a class, and AUC is undefined then' },
  // The range the labs accept for --seed, so a lab's derived seeds always fit.
  seed: { min: 0, max: Number.MAX_SAFE_INTEGER, why: '' },
  epochs: { min: 1, max: 1000, why: '' },
} as const;

export type TrainNumber = keyof typeof TRAIN_LIMITS;

/**
 * `value` (a number, or the text of a flag) as an integer within TRAIN_LIMITS[key]; else a
 * RegistryError('bad-input') naming `label` (e.g. `--size`), the range and why it is that range.
 */
export function trainNumber(key: TrainNumber, value: number | string, label: string = key): number {
  const { min, max, why } = TRAIN_LIMITS[key];
  const n = typeof value === 'number' ? value : /^\d{1,16}$/.test(value) ? Number(value) : Number.NaN;
  if (Number.isSafeInteger(n) && n >= min && n <= max) return n;
  const got = typeof value === 'number' ? String(value) : JSON.stringify(value.slice(0, 40));
  throw new RegistryError(
    'bad-input',
    `${label} must be an integer from ${min} to ${max}${why ? ` (${why})` : ''}, got ${got}`,
  );
}

/** A `--snapshot` value: a dataset snapshot id, 64 lowercase hex digits (the sha256 root). */
export function snapshotId(value: string): string {
  if (/^[0-9a-f]{64}$/.test(value)) return value;
  throw new RegistryError(
    'bad-input',
    `--snapshot must be a snapshot id (64 lowercase hex digits), got ${JSON.stringify(value.slice(0, 70))}`,
  );
}
