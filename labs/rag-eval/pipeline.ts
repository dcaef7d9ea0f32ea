/**
 * The rag-eval lab's pipeline (Q23), one function per stage so each can be scored on its own:
 * chunk -> embed + index -> retrieve -> generate (extractive) -> faithfulness. The index keeps the
 * version (updatedAt) of every document it holds, so a sync job re-indexes what changed.
 * Reference: ragas (faithfulness), BEIR / trec_eval (retrieval metrics), LlamaIndex's sentence splitter.
 */
import type { CorpusDocument } from '@mlops-lab/datagen';
import { createEmbedder, ExactRetriever, type Passage, splitSentences } from '@mlops-lab/retriever';

export const DIM = 256;

/** Healthy chunker: pack whole sentences into chunks of at most `maxChars` (a long sentence stands alone). */
export function chunkBySentence(text: string, maxChars: number): string[] {
  const chunks: string[] = [];
  let current = '';
  for (const s of splitSentences(text)) {
    if (current && current.length + 1 + s.length > maxChars) {
      chunks.push(current);
      current = s;
    } else current = current ? `${current} ${s}` : s;
  }
  if (current) chunks.push(current);
  return chunks;
}

/**
 * Fixed-size character windows with an overlap, as in many tutorials. `buggy` reproduces a sign error:
 * the window advances by size + overlap instead of size - overlap, so `overlap` characters between
 * windows are never indexed, and every window starts and ends mid-sentence.
 */
export function chunkByChars(text: string, size: number, overlap: number, buggy: boolean): string[] {
  const chunks: string[] = [];
  const stride = buggy ? size + overlap : size - overlap;
  for (let start = 0; start < text.length; start += stride) chunks.push(text.slice(start, start + size));
  return chunks;
}

export type Chunker = (text: string) => string[];

export interface IndexedChunk {
  docId: string;
  text: string;
}

/** An exact cosine index over chunks, remembering which version of each document it holds. */
export class ChunkIndex {
  readonly embedder = createEmbedder({ dim: DIM, version: 'hash-v1' });
  private readonly retriever = new ExactRetriever({ dim: DIM, space: 'cosine' });
  readonly chunks = new Map<string, IndexedChunk>();
  private readonly chunkIds = new Map<string, string[]>();
  /** docId -> the updatedAt of the text that was indexed. */
  readonly versions = new Map<string, number>();

  constructor(private readonly chunker: Chunker) {}

  upsert(doc: CorpusDocument): void {
    for (const id of this.chunkIds.get(doc.id) ?? []) {
      this.retriever.remove(id);
      this.chunks.delete(id);
    }
    const ids: string[] = [];
    this.chunker(doc.text).forEach((text, i) => {
      if (!/[\p{L}\p{N}]/u.test(text)) return; // a whitespace-only tail embeds to a zero vector
      const id = `${doc.id}#${i}`;
      this.retriever.add(id, this.embedder.embed(text));
      this.chunks.set(id, { docId: doc.id, text });
      ids.push(id);
    });
    this.chunkIds.set(doc.id, ids);
    this.versions.set(doc.id, doc.updatedAt);
  }

  /** The top `k` chunks, best first. */
  search(query: string, k: number): (IndexedChunk & { id: string })[] {
    return this.retriever
      .search(this.embedder.embed(query), k)
      .map((h) => ({ id: h.id, ...this.chunks.get(h.id)! }));
  }

  /** Texts of every chunk of one document, in order. */
  chunksOf(docId: string): string[] {
    return (this.chunkIds.get(docId) ?? []).map((id) => this.chunks.get(id)!.text);
  }
}

/**
 * The sync job: re-index documents changed since the index took them. Correct: compare each
 * document's updatedAt with the version the index holds. `sinceBuild` (the stale-index fault)
 * compares with the time the build finished instead, missing edits made while it ran.
 */
export function syncIndex(
  index: ChunkIndex,
  docs: readonly CorpusDocument[],
  builtAt: number,
  sinceBuild: boolean,
): number {
  let synced = 0;
  for (const doc of docs) {
    const changed = sinceBuild ? doc.updatedAt > builtAt : doc.updatedAt > (index.versions.get(doc.id) ?? -1);
    if (changed) {
      index.upsert(doc);
      synced++;
    }
  }
  return synced;
}

/** Passages for the faithfulness check: the CURRENT text of each retrieved document. */
export function currentPassages(docIds: readonly string[], byId: Map<string, CorpusDocument>): Passage[] {
  return docIds.map((id) => ({ id, text: byId.get(id)!.text }));
}
