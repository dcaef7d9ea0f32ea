/**
 * The retriever contract (Q21, Q22): one interface, three implementations (exact scan, HNSW in
 * memory, pgvector in Postgres), so a lab or benchmark swaps them without changing its code.
 */

export type Space = 'cosine' | 'l2' | 'ip';
export type Vector = number[] | Float32Array;
export type Metadata = Record<string, string | number | boolean | null>;

export interface SearchHit {
  id: string;
  /** Smaller is nearer: cosine distance (1 - cos), squared L2, or negative inner product (pgvector's <#>). */
  distance: number;
}

export type Filter = (metadata: Metadata, id: string) => boolean;

export interface Retriever {
  readonly dim: number;
  readonly space: Space;
  add(id: string, vector: Vector, metadata?: Metadata): void | Promise<void>;
  remove(id: string): void | Promise<void>;
  /** Nearest first. A filter keeps only matching items and still returns up to k of them when they exist. */
  search(vector: Vector, k: number, filter?: Filter): SearchHit[] | Promise<SearchHit[]>;
  size(): number | Promise<number>;
}
