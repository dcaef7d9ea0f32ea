/**
 * The three distances of the retriever contract in one place (Q21): ExactRetriever and the tests use
 * these, and HnswRetriever / PgvectorRetriever convert their libraries' numbers to the same scale.
 * Smaller is nearer everywhere:
 *   cosine: 1 - cos(a, b), in [0, 2]. Computed on normalized vectors, as hnswlib's 'cosine' space does
 *           (it normalizes on insert and on query, so an unnormalized input is stored by direction only:
 *           its length is lost; a zero vector has no direction and is refused by validate.ts).
 *   l2:     squared Euclidean distance, hnswlib's 'l2' (pgvector's `<->` is the root: square it).
 *   ip:     negative inner product, pgvector's `<#>` (hnswlib's 'ip' returns 1 - dot: subtract 1).
 * References: hnswlib space_l2.h / space_ip.h, pgvector README "Querying".
 */
import type { Space } from './types.ts';

type Vec = ArrayLike<number>;

export function dot(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function norm(a: Vec): number {
  return Math.sqrt(dot(a, a));
}

/** A unit-length Float32Array copy (the caller has refused zero vectors). */
export function normalize(a: Vec): Float32Array {
  const n = norm(a);
  const out = new Float32Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] / n;
  return out;
}

export function squaredL2(a: Vec, b: Vec): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return s;
}

export function cosineDistance(a: Vec, b: Vec): number {
  return 1 - dot(a, b) / (norm(a) * norm(b));
}

export function negativeInnerProduct(a: Vec, b: Vec): number {
  return -dot(a, b);
}

/** The distance function of a space, on raw (unnormalized) vectors. */
export function distanceFn(space: Space): (a: Vec, b: Vec) => number {
  if (space === 'cosine') return cosineDistance;
  if (space === 'l2') return squaredL2;
  return negativeInnerProduct;
}
