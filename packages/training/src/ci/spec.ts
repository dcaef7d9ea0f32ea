/**
 * A candidate change as the ci command reads it (Q11): the JSON a pull request carries next to the
 * code, describing how the candidate model is trained. Checked field by field before any work, so a
 * typo is a usage error, not a silently ignored setting.
 */

import { trainNumber } from '../train-input.ts';
import { CiInputError } from './gate.ts';
import type { CandidateSpec } from './model-gate.ts';

const FIELDS = ['seed', 'epochs', 'shuffleSeed', 'drop', 'extraFeatures'] as const;

const names = (v: unknown, field: string): string[] => {
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string' && /^[A-Za-z0-9_=.-]{1,64}$/.test(x)))
    throw new CiInputError(
      `candidate ${field} must be a list of column names, got ${JSON.stringify(v)?.slice(0, 60)}`,
    );
  return v;
};

/** Parses and checks a candidate spec (JSON text or an object already parsed). */
export function parseCandidateSpec(input: string | unknown): CandidateSpec {
  let v: unknown = input;
  if (typeof input === 'string') {
    try {
      v = JSON.parse(input);
    } catch (error) {
      throw new CiInputError(`candidate spec is not JSON: ${(error as Error).message}`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v))
    throw new CiInputError('candidate spec must be a JSON object');
  const o = v as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !(FIELDS as readonly string[]).includes(k));
  if (unknown.length)
    throw new CiInputError(`candidate spec has unknown field ${unknown[0]}; fields: ${FIELDS.join(', ')}`);
  const int = (k: 'seed' | 'epochs', d: number) => {
    const x = o[k] ?? d;
    if (typeof x !== 'number')
      throw new CiInputError(`candidate ${k} must be a number, got ${JSON.stringify(x)}`);
    return trainNumber(k, x, `candidate ${k}`);
  };
  const seed = int('seed', 7);
  const shuffleSeed = o.shuffleSeed === undefined ? seed : o.shuffleSeed;
  if (
    shuffleSeed !== null &&
    (typeof shuffleSeed !== 'number' || !Number.isSafeInteger(shuffleSeed) || shuffleSeed < 0)
  )
    throw new CiInputError(
      `candidate shuffleSeed must be an integer >= 0 or null, got ${JSON.stringify(shuffleSeed)}`,
    );
  return {
    seed,
    epochs: int('epochs', 15),
    shuffleSeed,
    drop: o.drop === undefined ? [] : names(o.drop, 'drop'),
    extraFeatures: o.extraFeatures === undefined ? [] : names(o.extraFeatures, 'extraFeatures'),
  };
}
