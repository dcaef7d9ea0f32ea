/**
 * The retriever contract suite (Q21, Q22): one body of tests that every implementation of the
 * Retriever interface (types.ts) runs, so exact, HNSW and pgvector are held to the same promises
 * rather than each to its own test file. The pattern is a shared adapter suite, as Hono runs one
 * test suite against every runtime adapter: src/contract.test.ts registers each implementation as a
 * ContractSubject (how to create one, how to read back its metadata, and whether its search is exact
 * or approximate with a stated recall bound), and this file runs the parts:
 *
 *   contract-search.ts     distance semantics (a distance, smaller is nearer), order, top k vs exact, k
 *   contract-filter.ts     the Filter contract (filter.ts): semantics, selectivity, refusals
 *   contract-lifecycle.ts  metadata round trip, exact ids, upsert, remove, re-add
 *   contract-input.ts      bad vectors, ids and metadata refused, nothing changed
 *
 * What stays in an implementation's own test file is what only it has: HNSW's capacity growth,
 * save / load and recall at scale; pgvector's iterative scans and table naming; the exact scan's
 * storage growth.
 */
import { describe } from 'vitest';
import { filterContract } from './contract-filter.ts';
import type { ContractSubject } from './contract-fixtures.ts';
import { inputContract } from './contract-input.ts';
import { lifecycleContract } from './contract-lifecycle.ts';
import { searchContract } from './contract-search.ts';

export type { ContractSubject, Item, SearchKind } from './contract-fixtures.ts';

export function retrieverContract(subject: ContractSubject): void {
  describe(`retriever contract: ${subject.name}`, () => {
    describe('search', () => searchContract(subject));
    describe('filters', () => filterContract(subject));
    describe('lifecycle', () => lifecycleContract(subject));
    describe('bad input', () => inputContract(subject));
  });
}
