/**
 * Embedding migration (Q25). Vectors of two embedding model versions live in unrelated spaces (the
 * same text under two versions of src/embedder.ts has cosine near 0), so an index must hold exactly one
 * version, and a query must be embedded by that version. Both are refused loudly otherwise:
 * `detectMixedVersions` and `IndexAlias.search`.
 *
 * `migrateEmbeddings` is a blue-green re-index, as Elasticsearch's reindex-then-swap-alias procedure:
 * build the new-version index beside the old one in batches while the old one keeps serving, catch it
 * up with the change feed from the position taken before the scan, shadow-compare sample queries
 * (overlap@k between the two result lists), swap the alias in one assignment, then drop the old index
 * and its feed position. The old index is never written to, so calling it off before the swap costs
 * nothing but the work done.
 */
import type { Queryable } from '@mlops-lab/services/sql';
import { dropPosition, readPosition, writePosition } from './change-feed.ts';
import type { Embedder, VersionedVector } from './embedder.ts';
import { RetrieverError } from './errors.ts';
import { IndexState, liveDocuments, syncIndex, upsertDocument, VECTOR_FIELDS } from './indexing.ts';
import type { Metadata, Retriever, SearchHit } from './types.ts';

/**
 * The one embedding version of an index (undefined when it is empty); a RetrieverError when it holds
 * several. Takes the indexing layer's state or any list of vector metadata.
 */
export function detectMixedVersions(source: IndexState | Iterable<Metadata | undefined>): string | undefined {
  const counts = new Map<string, number>();
  if (source instanceof IndexState) {
    for (const p of source.entries.values()) counts.set(p.version, (counts.get(p.version) ?? 0) + 1);
  } else {
    for (const meta of source) {
      const v = meta?.[VECTOR_FIELDS.version];
      const key = v === undefined || v === null ? '(none)' : String(v);
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  if (counts.size > 1) {
    const list = [...counts].map(([v, n]) => `${v}: ${n}`).join(', ');
    throw new RetrieverError(
      `index holds vectors of ${counts.size} embedding versions (${list}); distances across versions ` +
        'are meaningless. Re-embed into a single-version index (migrateEmbeddings) before searching',
    );
  }
  const [only] = counts.keys();
  if (only === '(none)') {
    throw new RetrieverError(
      `index vectors carry no ${VECTOR_FIELDS.version}: the version of the index is unknown`,
    );
  }
  return only;
}

/** A retriever with the embedder that wrote it and the indexing state that tracks it. */
export interface VersionedIndex {
  retriever: Retriever;
  embedder: Embedder;
  state: IndexState;
}

/**
 * The name queries use; `swap` repoints it in one assignment, so a search sees either the old or the
 * new index, never a mix (a search already running finishes on the index it started with).
 */
export class IndexAlias {
  private active: VersionedIndex;
  constructor(initial: VersionedIndex) {
    this.active = initial;
  }
  get current(): VersionedIndex {
    return this.active;
  }
  /** Points the alias at `next`; returns the index it pointed at. */
  swap(next: VersionedIndex): VersionedIndex {
    const previous = this.active;
    this.active = next;
    return previous;
  }
  /** Searches with a query vector, which must come from the index's embedding version. */
  async search(query: VersionedVector, k: number): Promise<SearchHit[]> {
    const target = this.active;
    const version = detectMixedVersions(target.state) ?? target.embedder.version;
    if (query.version !== version) {
      throw new RetrieverError(
        `query embedded with "${query.version}" but the index holds "${version}" vectors; ` +
          `embed the query with "${version}" (alias.searchText does)`,
      );
    }
    return target.retriever.search(query.vector, k);
  }
  /** Embeds the text with the active index's own embedder, then searches. */
  searchText(text: string, k: number): Promise<SearchHit[]> {
    return this.search(this.active.embedder.embedVersioned(text), k);
  }
}

/** Share of the first k ids of `a` found in the first k of `b` (order ignored); 1 when both are empty. */
export function overlapAtK(a: readonly SearchHit[], b: readonly SearchHit[], k: number): number {
  const left = a.slice(0, k).map((h) => h.id);
  if (left.length === 0 && b.length === 0) return 1;
  const right = new Set(b.slice(0, k).map((h) => h.id));
  const shared = left.filter((id) => right.has(id)).length;
  return shared / Math.max(left.length, Math.min(b.length, k));
}

export interface MigrationProgress {
  phase: 'build' | 'catch-up' | 'shadow' | 'cutover';
  done: number;
  total: number;
}

export interface MigrationOptions {
  /** The source table's database (src/change-feed.ts). */
  source: { pool: Queryable };
  /** The alias serving the old index; it ends up pointing at the new one. */
  oldIndex: IndexAlias;
  newEmbedder: Embedder;
  /** A fresh, empty retriever for the new version (its dim must be the new embedder's). */
  buildIndex: () => Retriever | Promise<Retriever>;
  /** Feed position name of the new index (default `<old consumer>@<new version>`). */
  consumer?: string;
  batchSize?: number;
  /** Query texts for the shadow comparison. */
  sampleQueries?: readonly string[];
  k?: number;
  /** Refuse the cutover when the mean overlap@k is below this (default 0: report only). */
  minOverlap?: number;
  /** Awaited, so a caller can pause the build (or, in tests, write to the source mid-build). */
  onProgress?: (progress: MigrationProgress) => void | Promise<void>;
  /** Frees the old retriever after the cutover (DROP TABLE for pgvector, nothing for in-memory ones). */
  dropOld?: (old: VersionedIndex) => void | Promise<void>;
}

export interface MigrationResult {
  index: VersionedIndex;
  previousVersion: string | undefined;
  version: string;
  documents: number;
  /** Mean overlap@k of old and new results over the sample queries (undefined without queries). */
  overlap: number | undefined;
  perQueryOverlap: number[];
  buildMs: number;
}

export async function migrateEmbeddings(options: MigrationOptions): Promise<MigrationResult> {
  const { source, oldIndex, newEmbedder, onProgress } = options;
  const { pool } = source;
  const old = oldIndex.current;
  const previousVersion = detectMixedVersions(old.state);
  if (previousVersion === newEmbedder.version) {
    throw new RetrieverError(`migrateEmbeddings: the index already holds "${newEmbedder.version}" vectors`);
  }
  const k = options.k ?? 10;
  const batchSize = options.batchSize ?? 256;
  const consumer = options.consumer ?? `${old.state.consumer}@${newEmbedder.version}`;
  const started = performance.now();
  const retriever = await options.buildIndex();
  if (retriever.dim !== newEmbedder.dim) {
    throw new RetrieverError(
      `migrateEmbeddings: new index dim ${retriever.dim} differs from embedder dim ${newEmbedder.dim}`,
    );
  }
  const state = new IndexState(consumer);
  // Position before the scan: events after it are replayed onto the new index (idempotent), so a
  // change made during the scan is not lost even if the scan read the row before it changed.
  await writePosition(pool, consumer, await readPosition(pool, old.state.consumer));
  const { rows } = await pool.query('SELECT count(*)::int AS n FROM documents WHERE NOT deleted');
  const total: number = rows[0].n;
  let done = 0;
  for await (const batch of liveDocuments(pool, batchSize)) {
    for (const doc of batch) await upsertDocument(retriever, newEmbedder, state, doc);
    done += batch.length;
    await onProgress?.({ phase: 'build', done, total });
  }
  const caught = await syncIndex({ pool, index: retriever, embedder: newEmbedder, state, batchSize });
  await onProgress?.({ phase: 'catch-up', done: caught.events, total: caught.events });
  const next: VersionedIndex = { retriever, embedder: newEmbedder, state };
  detectMixedVersions(state);
  const buildMs = performance.now() - started;

  const queries = options.sampleQueries ?? [];
  const perQueryOverlap: number[] = [];
  for (const text of queries) {
    const before = await old.retriever.search(old.embedder.embed(text), k);
    const after = await retriever.search(newEmbedder.embed(text), k);
    perQueryOverlap.push(overlapAtK(before, after, k));
    await onProgress?.({ phase: 'shadow', done: perQueryOverlap.length, total: queries.length });
  }
  const overlap =
    perQueryOverlap.length === 0
      ? undefined
      : perQueryOverlap.reduce((s, x) => s + x, 0) / perQueryOverlap.length;
  const minOverlap = options.minOverlap ?? 0;
  if (overlap !== undefined && overlap < minOverlap) {
    await dropPosition(pool, consumer);
    throw new RetrieverError(
      `migrateEmbeddings: shadow overlap@${k} ${overlap.toFixed(3)} is below ${minOverlap}; the alias still ` +
        `points at "${previousVersion}"`,
    );
  }
  const dropped = oldIndex.swap(next);
  await onProgress?.({ phase: 'cutover', done: 1, total: 1 });
  await dropPosition(pool, dropped.state.consumer);
  await options.dropOld?.(dropped);
  return {
    index: next,
    previousVersion,
    version: newEmbedder.version,
    documents: done,
    overlap,
    perQueryOverlap,
    buildMs,
  };
}
