/**
 * The error types of the retriever package (Q21, Q22): bad input (wrong dimension, NaN, bad k,
 * unknown id, an unsupported filter) is refused with a message naming what is wrong, before anything
 * is changed, so the index that was there keeps answering (ARCHITECTURE.md
 * "Conventions": errors are typed and actionable). UnsupportedFilterError is a RetrieverError too: a caller that catches the package's
 * errors catches it, and one that builds filters from user input can tell it apart.
 */

export class RetrieverError extends Error {
  override readonly name: string = 'RetrieverError';
}

/** A filter outside the Filter contract (src/filter.ts): a function, another operator, a nested value. */
export class UnsupportedFilterError extends RetrieverError {
  override readonly name: string = 'UnsupportedFilterError';
}
