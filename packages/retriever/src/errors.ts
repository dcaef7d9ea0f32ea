/**
 * The one error type of the retriever package (Q21, Q22): bad input (wrong dimension, NaN, bad k,
 * unknown id, a throwing filter) is refused with a message naming what is wrong, before anything is
 * changed, so the index that was there keeps answering (DESIGN.md "Errors are typed and actionable").
 */

export class RetrieverError extends Error {
  override readonly name = 'RetrieverError';
}
