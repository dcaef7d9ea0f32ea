/**
 * Index audit (Q24): compares what the index was built from with the source table now, the check that
 * catches a feed that lost an event. An update that never reached the index is the dangerous case:
 * retrieval returns the old text and the answer states it confidently. Four findings:
 * - stale: the vector was built from an older `updated_at` or a different text (md5) than the source;
 * - missing: a live source document has no vector;
 * - orphaned: a vector whose document is deleted or gone (it can still be retrieved);
 * - wrongVersion: a vector from another embedding model version than the current embedder (Q25).
 * Reconciliation in the manner of Kubernetes controllers: compare desired (source) with actual
 * (index) state, then feed the differences back (`requeueDocuments`), never trust the events alone.
 */
import type { Queryable } from '@mlops-lab/services/sql';
import type { Embedder } from './embedder.ts';
import { RetrieverError } from './errors.ts';
import { type IndexState, VECTOR_FIELDS, type VectorProvenance } from './indexing.ts';
import type { Metadata, Retriever } from './types.ts';

export interface AuditFinding {
  count: number;
  /** Up to `examples` ids, sorted. */
  examples: string[];
}

export interface AuditReport {
  sourceLive: number;
  indexed: number;
  stale: AuditFinding;
  missing: AuditFinding;
  orphaned: AuditFinding;
  wrongVersion: AuditFinding;
  /** True when all four findings are empty. */
  consistent: boolean;
  /** Every id of every finding, for `requeueDocuments` (wrong-version ids too: re-embedding fixes them). */
  outOfSync: string[];
}

export interface AuditOptions {
  pool: Queryable;
  index: Retriever;
  embedder: Embedder;
  /** The ids the index holds; their metadata is read back from the index when it can tell. */
  state: IndexState;
  /** Example ids kept per finding (default 5). */
  examples?: number;
}

type WithMetadata = Retriever & { metadata(id: string): Metadata | undefined };

function hasMetadata(index: Retriever): index is WithMetadata {
  return typeof (index as Partial<WithMetadata>).metadata === 'function';
}

/** Reads an id's provenance from the vector's own metadata (the index itself), else the side map. */
function provenanceOf(index: Retriever, state: IndexState, id: string): VectorProvenance | undefined {
  if (!hasMetadata(index)) return state.entries.get(id);
  const meta = index.metadata(id);
  if (meta === undefined) return undefined;
  return {
    version: String(meta[VECTOR_FIELDS.version]),
    updatedAt: String(meta[VECTOR_FIELDS.updatedAt]),
    textHash: String(meta[VECTOR_FIELDS.textHash]),
  };
}

export async function auditIndex(options: AuditOptions): Promise<AuditReport> {
  const { pool, index, embedder, state } = options;
  const keep = options.examples ?? 5;
  if (!Number.isSafeInteger(keep) || keep < 0) {
    throw new RetrieverError(`auditIndex: examples must be a non-negative integer, got ${keep}`);
  }
  // Only hashes and timestamps cross the wire, not texts.
  const { rows } = await pool.query(
    `SELECT id, md5(text) AS text_hash, deleted,
       to_char(updated_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS updated_at
     FROM documents`,
  );
  const source = new Map<string, { textHash: string; updatedAt: string; deleted: boolean }>();
  for (const r of rows)
    source.set(r.id, { textHash: r.text_hash, updatedAt: r.updated_at, deleted: r.deleted });

  const stale: string[] = [];
  const missing: string[] = [];
  const orphaned: string[] = [];
  const wrongVersion: string[] = [];
  let sourceLive = 0;
  for (const [id, doc] of source) {
    if (doc.deleted) continue;
    sourceLive++;
    if (provenanceOf(index, state, id) === undefined) missing.push(id);
  }
  let indexed = 0;
  for (const id of state.entries.keys()) {
    const built = provenanceOf(index, state, id);
    if (built === undefined) continue; // the side map knows it but the index does not: counted as missing above
    indexed++;
    if (built.version !== embedder.version) wrongVersion.push(id);
    const doc = source.get(id);
    if (doc === undefined || doc.deleted) orphaned.push(id);
    else if (doc.textHash !== built.textHash || doc.updatedAt !== built.updatedAt) stale.push(id);
  }
  const finding = (ids: string[]): AuditFinding => ({
    count: ids.length,
    examples: ids.sort().slice(0, keep),
  });
  const outOfSync = [...new Set([...stale, ...missing, ...orphaned, ...wrongVersion])].sort();
  return {
    sourceLive,
    indexed,
    stale: finding(stale),
    missing: finding(missing),
    orphaned: finding(orphaned),
    wrongVersion: finding(wrongVersion),
    consistent: outOfSync.length === 0,
    outOfSync,
  };
}
