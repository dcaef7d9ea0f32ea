/**
 * A Queryable that records every statement before passing it on, so a test can assert that a bad
 * request was refused before anything reached Postgres (Q7: validation comes first).
 */
import type { Queryable } from '../validate.ts';

export interface CountingPool extends Queryable {
  /** SQL text of every query sent so far, in order. */
  readonly queries: string[];
}

export function countingPool(pool: Queryable): CountingPool {
  const queries: string[] = [];
  return {
    queries,
    query(text: string, params?: unknown[]) {
      queries.push(text);
      return pool.query(text, params);
    },
  };
}
