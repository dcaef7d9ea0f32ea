/**
 * The reindex lab's consumer and probes (Q24). `consume` is a job runner around the package's real
 * `syncIndex`: it retries a failed sync, as a scheduler would, and reports each attempt's feed
 * position. `probe` asks the index what a user would get; `graphStats` measures the HNSW graph as
 * saved to disk (nodes, dead nodes, bytes). Reference: packages/retriever/src/indexing.ts.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type Embedder,
  type FeedPosition,
  type HnswRetriever,
  type IndexState,
  type Retriever,
  readPosition,
  type SyncResult,
  syncIndex,
} from '@mlops-lab/retriever';
import type { Services } from '@mlops-lab/services';
import { eventsBehind } from './world.ts';

/** Small batches: the feed holds back events of transactions still running anywhere on the server. */
export const BATCH_SIZE = 16;
const ATTEMPTS = 3;

export interface Attempt {
  attempt: number;
  position: FeedPosition;
  behind: number;
  result: SyncResult | null;
  error: string | null;
}

export interface ConsumeOptions {
  services: Services;
  index: Retriever;
  embedder: Embedder;
  state: IndexState;
  /** The consumer's per-document hook (after the document is applied, before the position moves). */
  afterApply?: (docId: string) => void;
}

/** Runs syncIndex until it succeeds with nothing held back, or ATTEMPTS times. */
export async function consume(options: ConsumeOptions): Promise<Attempt[]> {
  const { services, index, embedder, state, afterApply } = options;
  const attempts: Attempt[] = [];
  for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
    let result: SyncResult | null = null;
    let error: string | null = null;
    try {
      result = await syncIndex({
        pool: services.pg,
        index,
        embedder,
        state,
        batchSize: BATCH_SIZE,
        // A busy shared server (CI runs other suites beside this one) can hold the feed back for a while.
        waitMs: 15_000,
        afterApply: afterApply && ((id) => afterApply(id)),
      });
    } catch (cause) {
      error = cause instanceof Error ? cause.message : String(cause);
    }
    const position = await readPosition(services.pg, state.consumer);
    attempts.push({ attempt, position, behind: await eventsBehind(services, position), result, error });
    if (error === null && result !== null && result.heldBack === 0) break;
  }
  return attempts;
}

/** Share of the given (id, query text) pairs whose id is within the top k. */
export async function foundShare(
  index: Retriever,
  embedder: Embedder,
  probes: { id: string; text: string }[],
  k: number,
): Promise<{ found: number; ids: string[] }> {
  const ids: string[] = [];
  for (const p of probes) {
    const hits = await index.search(embedder.embed(p.text), k);
    if (hits.some((h) => h.id === p.id)) ids.push(p.id);
  }
  return { found: ids.length, ids };
}

export interface GraphStats {
  nodes: number;
  dead: number;
  bytes: number;
}

/** Saves the graph to a temporary directory and reads back its size and the sidecar's dead-node count. */
export function graphStats(index: HnswRetriever): GraphStats {
  const dir = mkdtempSync(join(tmpdir(), 'reindex-'));
  try {
    const path = join(dir, 'index.bin');
    index.save(path);
    const sidecar = JSON.parse(readFileSync(`${path}.json`, 'utf8')) as { deleted: number; items: unknown[] };
    return {
      nodes: sidecar.items.length + sidecar.deleted,
      dead: sidecar.deleted,
      bytes: statSync(path).size,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
