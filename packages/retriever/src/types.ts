/**
 * The retriever contract (Q21, Q22): one interface, three implementations (exact scan, HNSW in
 * memory, pgvector in Postgres), so a lab or benchmark swaps them without changing its code.
 * src/testing/contract.ts is the executable form of this file: one suite run against all three.
 */

export type Space = 'cosine' | 'l2' | 'ip';
export type Vector = number[] | Float32Array;
export type Scalar = string | number | boolean | null;
export type Metadata = Record<string, Scalar>;

export interface SearchHit {
  id: string;
  /**
   * A distance, not a similarity: smaller is nearer. cosine: 1 - cos (0 same direction, 2 opposite);
   * l2: squared Euclidean; ip: negative inner product (pgvector's <#>). See distance.ts.
   */
  distance: number;
}

/** One field's condition: equal to a value, or to one of several. */
export type FieldCondition = Scalar | { readonly $eq: Scalar } | { readonly $in: readonly Scalar[] };

/**
 * A declarative filter on metadata fields, e.g. `{ tenant: 'rare', lang: { $in: ['en', 'de'] } }`:
 * every field must hold. Evaluated in JavaScript by exact and HNSW and as SQL by pgvector; the
 * semantics and what is refused (UnsupportedFilterError) are in filter.ts.
 */
export type Filter = { readonly [field: string]: FieldCondition };

export interface Retriever {
  readonly dim: number;
  readonly space: Space;
  /** Inserts, or replaces the vector and metadata of an existing id (an upsert). */
  add(id: string, vector: Vector, metadata?: Metadata): void | Promise<void>;
  /** Removes an id; it is never returned again until it is added again. An unknown id is an error. */
  remove(id: string): void | Promise<void>;
  /**
   * Nearest first, at most k hits, each id once; k is a positive integer and may exceed the size.
   * A filter keeps only matching items and still returns up to k of them when they exist.
   */
  search(vector: Vector, k: number, filter?: Filter): SearchHit[] | Promise<SearchHit[]>;
  size(): number | Promise<number>;
}
