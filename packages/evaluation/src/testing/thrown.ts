/** Test support: the EvaluationInputError a call throws, to assert on its code, index and message. */
import { expect } from 'vitest';
import { EvaluationInputError } from '../errors.ts';

export function thrown(f: () => unknown): EvaluationInputError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(EvaluationInputError);
    return e as EvaluationInputError;
  }
  throw new Error('expected an EvaluationInputError, but the call returned');
}
