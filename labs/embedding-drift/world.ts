/**
 * The embedding-drift lab's world (Q25): a seeded corpus with graded queries (@mlops-lab/datagen) in
 * the Postgres `documents` table of the change feed, two embedder versions of the same dimension
 * (so their vectors fit one index, which is what makes mixing them possible), index builders and
 * the golden-set evaluation (trec_eval's recall@k and nDCG@k from packages/retriever/src/metrics.ts).
 */
import { type Corpus, createRng, generateCorpus, mixSeed } from '@mlops-lab/datagen';
import {
  CHANGE_FEED_MIGRATIONS,
  createEmbedder,
  type Embedder,
  evaluateRun,
  HnswRetriever,
  IndexState,
  liveDocuments,
  type SearchHit,
  upsertDocument,
  type VersionedIndex,
} from '@mlops-lab/retriever';
import type { Services } from '@mlops-lab/services';

export const SIZE = { quick: { documents: 600, queries: 80 }, full: { documents: 3000, queries: 300 } };
export const K = 10;
export const DIM = 128;

/** The model in production, and its upgrade: another hashing scheme, projected to the same dimension. */
export const V1 = createEmbedder({ dim: DIM, version: 'hash-v1' });
export const V2 = createEmbedder({ dim: DIM, version: 'hash-v2', hashDim: 4096 });

export function buildCorpus(seed: number, quick: boolean): Corpus {
  return generateCorpus({ seed, ...(quick ? SIZE.quick : SIZE.full) });
}

export async function loadSource(services: Services, corpus: Corpus): Promise<void> {
  await services.migrate('retriever-feed', CHANGE_FEED_MIGRATIONS);
  await services.pg.query('INSERT INTO documents (id, text) SELECT * FROM unnest($1::text[], $2::text[])', [
    corpus.documents.map((d) => d.id),
    corpus.documents.map((d) => d.text),
  ]);
}

export const newGraph = (seed: number) => () => new HnswRetriever({ dim: DIM, space: 'cosine', seed });

/**
 * An index built straight from the live source rows. `embedderFor` picks each document's model:
 * one model for a clean build, or v1/v2 by document for the in-place re-embedding halfway through.
 */
export async function buildFromSource(
  services: Services,
  seed: number,
  consumer: string,
  embedderFor: (id: string) => Embedder,
  queryEmbedder: Embedder,
): Promise<VersionedIndex> {
  const retriever = newGraph(seed)();
  const state = new IndexState(consumer);
  for await (const batch of liveDocuments(services.pg, 256)) {
    for (const doc of batch) await upsertDocument(retriever, embedderFor(doc.id), state, doc);
  }
  return { retriever, embedder: queryEmbedder, state };
}

/** Half the documents, drawn by a seeded coin: the ones the in-place job has already rewritten. */
export function halfOf(corpus: Corpus, seed: number): Set<string> {
  const rng = createRng(mixSeed(seed, 'embedding-drift', 'rewritten'));
  return new Set(corpus.documents.filter(() => rng.next() < 0.5).map((d) => d.id));
}

export interface Quality {
  /** recall@10 of the answer-bearing document (grade 3). */
  recall: number;
  /** nDCG@10 over all grades. */
  ndcg: number;
  /** recall@10 (grade 3) of each golden query, for paired comparisons of two models. */
  perQueryRecall: Record<string, number>;
}

/** Runs every golden query through `search` and scores the run against the graded qrels. */
export async function evaluate(
  corpus: Corpus,
  search: (text: string) => Promise<SearchHit[]>,
): Promise<Quality> {
  const run: Record<string, string[]> = {};
  const qrels: Record<string, Record<string, number>> = {};
  for (const q of corpus.queries) {
    run[q.id] = (await search(q.text)).map((h) => h.id);
    qrels[q.id] = q.relevance;
  }
  const strict = evaluateRun(run, qrels, K, { minGrade: 3 });
  return {
    recall: strict.mean.recall,
    ndcg: evaluateRun(run, qrels, K).mean.ndcg,
    perQueryRecall: Object.fromEntries(Object.entries(strict.perQuery).map(([q, m]) => [q, m.recall])),
  };
}
