/**
 * Incremental indexing (Q24): `syncIndex` applies the Postgres change feed (src/change-feed.ts) to
 * any Retriever in batches. A changed document is re-embedded and upserted (remove + add), a deleted
 * one is removed at once and counted as a tombstone, and the consumer position in Postgres moves only
 * after its batch is applied: delivery is at-least-once, and applying the same event twice gives the
 * same index (an upsert of the current row, a delete of an absent id is a no-op), so a crash anywhere
 * converges on re-run. This is how Debezium-style change data capture consumers get effectively-once
 * results: idempotent sinks, not exactly-once delivery.
 *
 * Every vector carries its provenance as metadata (`model_version`, `updated_at`, `text_hash`), and
 * the IndexState side map keeps the same per id, so the audit (src/audit.ts) can list what the index
 * holds even for retrievers that cannot enumerate their ids, and Q25's version check has a field.
 *
 * Compaction differs per implementation. ExactRetriever removes for real (the last row moves into the
 * hole): nothing to compact. HnswRetriever's remove is hnswlib's markDelete: the node stays in the
 * graph as a routing waypoint and its slot is reused by the next add, so memory is bounded by the
 * peak size, but many dead nodes make walks longer and recall lower; compacting rebuilds the graph from
 * the live documents. PgvectorRetriever's DELETE leaves dead tuples and dead HNSW entries that VACUUM
 * reclaims; a rebuild there is REINDEX, which Postgres does itself, so compaction is left to it.
 */
import type { Queryable } from '@mlops-lab/services/sql';
import {
  documentColumns,
  FEED_START,
  type FeedPosition,
  readChanges,
  readPosition,
  type SourceDocument,
  toSourceDocument,
  writePosition,
} from './change-feed.ts';
import type { Embedder } from './embedder.ts';
import { RetrieverError } from './errors.ts';
import type { Metadata, Retriever } from './types.ts';

/** Metadata keys written on every vector; the document's own scalar metadata is kept beside them. */
export const VECTOR_FIELDS = {
  version: 'model_version',
  updatedAt: 'updated_at',
  textHash: 'text_hash',
} as const;

/** What the index was built from, per id. */
export interface VectorProvenance {
  version: string;
  updatedAt: string;
  textHash: string;
}

/** The indexing layer's memory of one index: which ids it holds, built from what, and dead nodes. */
export class IndexState {
  readonly entries = new Map<string, VectorProvenance>();
  /** Removals (deletes and the old node of an update) since the last compaction. */
  tombstones = 0;
  constructor(
    /** Name of the position row in `index_positions`. */
    readonly consumer: string,
  ) {}
}

export interface SyncOptions {
  pool: Queryable;
  index: Retriever;
  embedder: Embedder;
  state: IndexState;
  /** Events per batch (default 256). */
  batchSize?: number;
  /** How long to wait for a running older transaction before returning with `heldBack` > 0 (default 2000 ms). */
  waitMs?: number;
  /** Called after each document is applied; a throw here models a crash mid-batch (tests, labs). */
  afterApply?: (docId: string, appliedInBatch: number) => void;
}

export interface SyncResult {
  batches: number;
  /** Events read (several events of one document in a batch count once in upserts/deletes). */
  events: number;
  upserts: number;
  deletes: number;
  position: FeedPosition;
  heldBack: number;
}

/** Vector metadata: the source's scalar fields, then the provenance fields (which win on a clash). */
export function vectorMetadata(doc: SourceDocument, version: string): Metadata {
  const meta: Metadata = {};
  for (const [key, value] of Object.entries(doc.metadata ?? {})) {
    if (value === null || ['string', 'number', 'boolean'].includes(typeof value)) meta[key] = value;
  }
  meta[VECTOR_FIELDS.version] = version;
  meta[VECTOR_FIELDS.updatedAt] = doc.updatedAt;
  meta[VECTOR_FIELDS.textHash] = doc.textHash;
  return meta;
}

/** Upsert one live document: remove + add, so every implementation ends with exactly one vector. */
export async function upsertDocument(
  index: Retriever,
  embedder: Embedder,
  state: IndexState,
  doc: SourceDocument,
): Promise<void> {
  const vector = embedder.embed(doc.text); // embed first: a refused text leaves the old vector in place
  if (state.entries.has(doc.id)) {
    await index.remove(doc.id);
    state.entries.delete(doc.id);
    state.tombstones++;
  }
  await index.add(doc.id, vector, vectorMetadata(doc, embedder.version));
  state.entries.set(doc.id, { version: embedder.version, updatedAt: doc.updatedAt, textHash: doc.textHash });
}

async function deleteDocument(index: Retriever, state: IndexState, id: string): Promise<boolean> {
  if (!state.entries.has(id)) return false; // already gone: a replayed delete is a no-op
  await index.remove(id);
  state.entries.delete(id);
  state.tombstones++;
  return true;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Applies every event after the stored position; returns what it did. */
export async function syncIndex(options: SyncOptions): Promise<SyncResult> {
  const { pool, index, embedder, state, afterApply } = options;
  const batchSize = options.batchSize ?? 256;
  if (!Number.isSafeInteger(batchSize) || batchSize < 1) {
    throw new RetrieverError(`syncIndex: batchSize must be a positive integer, got ${batchSize}`);
  }
  if (index.dim !== embedder.dim) {
    throw new RetrieverError(`syncIndex: index dim ${index.dim} differs from embedder dim ${embedder.dim}`);
  }
  const result: SyncResult = {
    batches: 0,
    events: 0,
    upserts: 0,
    deletes: 0,
    position: FEED_START,
    heldBack: 0,
  };
  let position = await readPosition(pool, state.consumer);
  const deadline = Date.now() + (options.waitMs ?? 2000);
  for (;;) {
    const { changes, heldBack } = await readChanges(pool, position, batchSize);
    result.heldBack = heldBack;
    if (changes.length === 0) {
      if (heldBack === 0 || Date.now() >= deadline) break;
      await sleep(25); // an older transaction is still open; its events may land before these
      continue;
    }
    // Several events of one document in a batch: its current row is what counts, applied once.
    const latest = new Map<string, SourceDocument | null>();
    for (const c of changes) latest.set(c.docId, c.doc);
    let applied = 0;
    for (const [id, doc] of latest) {
      if (doc === null || doc.deleted) {
        if (await deleteDocument(index, state, id)) result.deletes++;
      } else {
        await upsertDocument(index, embedder, state, doc);
        result.upserts++;
      }
      afterApply?.(id, ++applied);
    }
    // Only now: a crash above leaves the position behind, and the batch is applied again.
    position = changes[changes.length - 1].position;
    await writePosition(pool, state.consumer, position);
    result.batches++;
    result.events += changes.length;
  }
  result.position = position;
  return result;
}

export interface CompactOptions {
  pool: Queryable;
  index: Retriever;
  embedder: Embedder;
  state: IndexState;
  /** A fresh, empty retriever of the same kind. */
  build: () => Retriever | Promise<Retriever>;
  /** Rebuild when tombstones / (live + tombstones) exceeds this share (default 0.2). */
  maxTombstoneShare?: number;
}

export interface CompactResult {
  compacted: boolean;
  /** The index to use from now on: the rebuilt one, or the given one when nothing was done. */
  index: Retriever;
  tombstoneShare: number;
  freed: number;
}

/**
 * Rebuilds the index from the live source rows when dead nodes exceed the share. The rebuild reads
 * the source as it is now, possibly ahead of the feed position; the next sync re-applies those events,
 * which is harmless because upserts and deletes are idempotent. The caller swaps the returned index in
 * (an IndexAlias does it atomically) and keeps using `state`, which is refreshed in place.
 */
export async function compactIndex(options: CompactOptions): Promise<CompactResult> {
  const { pool, index, embedder, state } = options;
  const share = options.maxTombstoneShare ?? 0.2;
  const dead = state.tombstones;
  const tombstoneShare = dead === 0 ? 0 : dead / (state.entries.size + dead);
  if (tombstoneShare <= share) return { compacted: false, index, tombstoneShare, freed: 0 };
  const fresh = await options.build();
  const rebuilt = new IndexState(state.consumer);
  for await (const batch of liveDocuments(pool, 512)) {
    for (const doc of batch) await upsertDocument(fresh, embedder, rebuilt, doc);
  }
  state.entries.clear();
  for (const [id, p] of rebuilt.entries) state.entries.set(id, p);
  state.tombstones = 0;
  return { compacted: true, index: fresh, tombstoneShare, freed: dead };
}

/** Live source documents in id order, `batchSize` at a time (keyset pagination, no OFFSET). */
export async function* liveDocuments(pool: Queryable, batchSize: number): AsyncGenerator<SourceDocument[]> {
  let after = '';
  for (;;) {
    const { rows } = await pool.query(
      `SELECT ${documentColumns('d')} FROM documents d WHERE NOT d.deleted AND d.id > $1 ORDER BY d.id LIMIT $2`,
      [after, batchSize],
    );
    if (rows.length === 0) return;
    yield rows.map(toSourceDocument);
    after = rows[rows.length - 1].id;
  }
}
