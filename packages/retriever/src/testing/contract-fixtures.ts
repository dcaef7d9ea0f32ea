/**
 * What the retriever contract suite (contract.ts) runs on (Q21, Q22): the subject an implementation
 * registers, the seeded corpora, and the few helpers every part of the suite shares (loading a
 * corpus, catching a refusal from a sync or async retriever, comparing distances at float32 precision).
 */
import { expect } from 'vitest';
import { distanceFn } from '../distance.ts';
import { ExactRetriever } from '../exact.ts';
import type { Metadata, Retriever, SearchHit, Space } from '../types.ts';
import { clusteredVectors } from './vectors.ts';

/** How close an implementation's search is to the exact scan, by nature. */
export type SearchKind =
  /** The scan: the same hits as ExactRetriever, distances equal to float32 precision. */
  | { kind: 'exact' }
  /**
   * An approximate index: on the suite's 300-vector corpus it must reach `minRecall` (mean recall@k
   * against the exact scan; also the share of a corpus that k >= size must return). Every hit it does
   * return must still carry the true distance, in order.
   */
  | { kind: 'approximate'; minRecall: number };

export interface ContractSubject {
  /** Names the describe block: `retriever contract: <name>`. */
  name: string;
  search: SearchKind;
  /** A new, empty retriever (its own table for pgvector). */
  create(options: { dim: number; space: Space }): Promise<Retriever>;
  /** Reads back what the retriever stored for an id: its own accessor, or its table. */
  storedMetadata(retriever: Retriever, id: string): Promise<Metadata | undefined>;
  /** A bulk load where the implementation has one (pgvector's addMany); else add() per item. */
  addMany?(retriever: Retriever, items: readonly Item[]): Promise<void>;
}

export interface Item {
  id: string;
  vector: Float32Array;
  metadata: Metadata;
}

export const DIM = 16;
export const K = 10;
export const SPACES: readonly Space[] = ['cosine', 'l2', 'ip'];

/**
 * Metadata with every scalar type, so filters and the round trip see each: `tenant` 'rare' on 5%
 * (15 of 300), `tier` a number 0-2, `even` a boolean, `note` null on every 7th item and absent on the
 * item after it (null and absent must differ).
 */
export function metadataOf(i: number): Metadata {
  const meta: Metadata = { tenant: i % 20 === 0 ? 'rare' : 'common', tier: i % 3, even: i % 2 === 0 };
  if (i % 7 === 0) meta.note = null;
  else if (i % 7 !== 1) meta.note = 'plain';
  return meta;
}

/** The suite's seeded corpus: clustered vectors (the shape embeddings have) with metadataOf. */
export function corpus(n: number, seed = 5): { items: Item[]; queries: Float32Array[] } {
  const { vectors, queries } = clusteredVectors({ n, dim: DIM, queries: 20, seed });
  return { items: vectors.map((vector, i) => ({ id: `d${i}`, vector, metadata: metadataOf(i) })), queries };
}

export async function load(subject: ContractSubject, r: Retriever, items: readonly Item[]): Promise<void> {
  if (subject.addMany) await subject.addMany(r, items);
  else for (const it of items) await r.add(it.id, it.vector, it.metadata);
}

/** A subject's retriever loaded with `items`, and the exact scan over the same items. */
export async function loaded(
  subject: ContractSubject,
  space: Space,
  items: readonly Item[],
): Promise<{ r: Retriever; exact: ExactRetriever }> {
  const r = await subject.create({ dim: DIM, space });
  await load(subject, r, items);
  const exact = new ExactRetriever({ dim: DIM, space });
  for (const it of items) exact.add(it.id, it.vector, it.metadata);
  return { r, exact };
}

/** The error a call raised, thrown synchronously (exact, HNSW) or as a rejection (pgvector). */
export async function refusal(call: () => unknown): Promise<unknown> {
  try {
    await call();
  } catch (error) {
    return error;
  }
  return undefined;
}

export const ids = (hits: readonly SearchHit[]): string[] => hits.map((h) => h.id);

/** Every index stores float32 and some accumulate in float32: equal up to that precision. */
export function expectDistance(got: number, want: number): void {
  expect(Math.abs(got - want)).toBeLessThanOrEqual(1e-4 * (1 + Math.abs(want)));
}

/** Ascending distances, each id once, at most k, each distance the space's distance to its vector. */
export function expectWellFormed(
  hits: readonly SearchHit[],
  query: ArrayLike<number>,
  vectorOf: ReadonlyMap<string, ArrayLike<number>>,
  space: Space,
  k: number,
): void {
  expect(hits.length).toBeLessThanOrEqual(k);
  expect(new Set(ids(hits)).size).toBe(hits.length);
  const distance = distanceFn(space);
  for (let i = 0; i < hits.length; i++) {
    const stored = vectorOf.get(hits[i].id);
    expect(stored, `hit ${hits[i].id} is not in the corpus`).toBeDefined();
    expectDistance(hits[i].distance, distance(query, stored!));
    if (i > 0) expect(hits[i].distance).toBeGreaterThanOrEqual(hits[i - 1].distance);
  }
}

/** The bound an approximate subject states; 1 for the exact scan. */
export function minRecallOf(subject: ContractSubject): number {
  return subject.search.kind === 'exact' ? 1 : subject.search.minRecall;
}
