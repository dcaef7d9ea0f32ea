/**
 * The one error this package throws: input a statistic cannot be computed on honestly (unequal
 * lengths, a label that is not 0 or 1, a non-finite score, a missing class, an argument out of range),
 * refused before any work. `code` says which rule was broken, `index` which entry broke it.
 */

export type EvaluationInputCode = 'length' | 'label' | 'score' | 'class' | 'argument';

export class EvaluationInputError extends Error {
  constructor(
    readonly code: EvaluationInputCode,
    message: string,
    /** The offending entry, for 'label' and 'score'. */
    readonly index?: number,
  ) {
    super(message);
    this.name = 'EvaluationInputError';
  }
}
