/**
 * Retrieval metrics for the retrieval half of a RAG evaluation (Q23): recall@k, precision@k, MRR@k
 * and nDCG@k against graded relevance judgments (qrels), as trec_eval defines them (its `P_k`,
 * `recall_k`, `recip_rank` cut at k, and `ndcg_cut_k` measures; BEIR reports the same numbers through
 * pytrec_eval). golden/make_golden.py re-implements the definitions in Python and the tests match its
 * values to 1e-12.
 *
 * Conventions, where trec_eval leaves a choice to the caller:
 * - A ranking is best-first. A document id repeated in it counts once, at its first position: later
 *   copies are dropped and the documents behind them move up (trec_eval keys a run by document id, so
 *   a document can only ever occupy one rank).
 * - Unjudged documents (absent from qrels) are not relevant.
 * - "Relevant" means grade >= minGrade (default 1, trec_eval's relevance_level). nDCG ignores
 *   minGrade and uses every positive grade as its gain, as trec_eval does.
 */
import { RetrieverError } from './errors.ts';

/** Document id -> relevance grade (0 = judged not relevant). */
export type Qrels = Record<string, number>;

export interface RelevanceOptions {
  /** Smallest grade that counts as relevant (default 1). */
  minGrade?: number;
}

function checkK(k: number): void {
  if (!Number.isSafeInteger(k) || k <= 0) {
    throw new RetrieverError(`k must be a positive integer, got ${k}`);
  }
}

function minGradeOf(options: RelevanceOptions | undefined): number {
  const minGrade = options?.minGrade ?? 1;
  if (!Number.isFinite(minGrade) || minGrade <= 0) {
    throw new RetrieverError(`minGrade must be a finite number > 0, got ${minGrade}`);
  }
  return minGrade;
}

/** The first k distinct ids of a ranking, in order (duplicates dropped, see the file comment). */
export function topKDistinct(ranked: readonly string[], k: number): string[] {
  checkK(k);
  const seen = new Set<string>();
  const out: string[] = [];
  for (const id of ranked) {
    if (out.length >= k) break;
    if (seen.has(id)) continue;
    seen.add(id);
    out.push(id);
  }
  return out;
}

function grade(qrels: Qrels, id: string): number {
  return Object.hasOwn(qrels, id) ? qrels[id] : 0;
}

function countRelevant(qrels: Qrels, minGrade: number): number {
  let n = 0;
  for (const g of Object.values(qrels)) if (g >= minGrade) n++;
  return n;
}

function relevantRetrieved(top: string[], qrels: Qrels, minGrade: number): number {
  let n = 0;
  for (const id of top) if (grade(qrels, id) >= minGrade) n++;
  return n;
}

/**
 * recall@k = |relevant in top k| / |relevant in qrels|; 0 when the query has no relevant document
 * (trec_eval `recall_k`).
 */
export function recallAtK(
  ranked: readonly string[],
  qrels: Qrels,
  k: number,
  options?: RelevanceOptions,
): number {
  const minGrade = minGradeOf(options);
  const top = topKDistinct(ranked, k);
  const numRel = countRelevant(qrels, minGrade);
  return numRel === 0 ? 0 : relevantRetrieved(top, qrels, minGrade) / numRel;
}

/**
 * precision@k = |relevant in top k| / k. The divisor is k even when fewer than k documents were
 * returned (trec_eval `P_k`): a retriever that returns less is not rewarded for it.
 */
export function precisionAtK(
  ranked: readonly string[],
  qrels: Qrels,
  k: number,
  options?: RelevanceOptions,
): number {
  const minGrade = minGradeOf(options);
  return relevantRetrieved(topKDistinct(ranked, k), qrels, minGrade) / k;
}

/** MRR@k for one query = 1 / rank of the first relevant document within the top k (1-based); 0 if none. */
export function mrrAtK(
  ranked: readonly string[],
  qrels: Qrels,
  k: number,
  options?: RelevanceOptions,
): number {
  const minGrade = minGradeOf(options);
  const top = topKDistinct(ranked, k);
  for (let i = 0; i < top.length; i++) if (grade(qrels, top[i]) >= minGrade) return 1 / (i + 1);
  return 0;
}

/**
 * nDCG@k (trec_eval `ndcg_cut_k`): DCG@k = sum over ranks r = 1..k of gain_r / log2(r + 1), with the
 * linear gain gain_r = grade of the document at rank r (0 if unjudged or not positive). The ideal DCG
 * sorts ALL positively judged documents of the query by grade, descending, and truncates at k, so
 * relevant documents the retriever never returned still lower the score. Ties in grade do not matter
 * to the ideal (equal gains in any order give the same sum). 0 when the query has no relevant document.
 */
export function ndcgAtK(ranked: readonly string[], qrels: Qrels, k: number): number {
  const top = topKDistinct(ranked, k);
  let dcg = 0;
  for (let i = 0; i < top.length; i++) {
    const g = grade(qrels, top[i]);
    if (g > 0) dcg += g / Math.log2(i + 2);
  }
  const ideal = Object.values(qrels)
    .filter((g) => g > 0)
    .sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += ideal[i] / Math.log2(i + 2);
  return idcg === 0 ? 0 : dcg / idcg;
}

export interface QueryMetrics {
  recall: number;
  precision: number;
  mrr: number;
  ndcg: number;
}

export interface RunEvaluation {
  k: number;
  /** Arithmetic mean over the evaluated queries (0 for each metric when none is evaluated). */
  mean: QueryMetrics;
  perQuery: Record<string, QueryMetrics>;
  /** Queries of qrels without any relevant document: no metric is defined for them, so they are left out. */
  skipped: string[];
}

/**
 * Evaluate a run (query id -> best-first document ids) against qrels (query id -> document id ->
 * grade). The golden set defines the queries: every query in qrels with at least one relevant
 * document is evaluated, and one missing from the run scores 0 on everything (trec_eval `-c`), so a
 * retriever cannot improve its mean by failing to answer. Run queries absent from qrels are ignored.
 */
export function evaluateRun(
  run: Record<string, readonly string[]>,
  qrels: Record<string, Qrels>,
  k: number,
  options?: RelevanceOptions,
): RunEvaluation {
  checkK(k);
  const minGrade = minGradeOf(options);
  const perQuery: Record<string, QueryMetrics> = {};
  const skipped: string[] = [];
  const sum: QueryMetrics = { recall: 0, precision: 0, mrr: 0, ndcg: 0 };
  for (const [queryId, judged] of Object.entries(qrels)) {
    if (countRelevant(judged, minGrade) === 0) {
      skipped.push(queryId);
      continue;
    }
    const ranked = Object.hasOwn(run, queryId) ? run[queryId] : [];
    const m: QueryMetrics = {
      recall: recallAtK(ranked, judged, k, options),
      precision: precisionAtK(ranked, judged, k, options),
      mrr: mrrAtK(ranked, judged, k, options),
      ndcg: ndcgAtK(ranked, judged, k),
    };
    perQuery[queryId] = m;
    sum.recall += m.recall;
    sum.precision += m.precision;
    sum.mrr += m.mrr;
    sum.ndcg += m.ndcg;
  }
  const n = Object.keys(perQuery).length;
  const mean: QueryMetrics =
    n === 0
      ? { recall: 0, precision: 0, mrr: 0, ndcg: 0 }
      : { recall: sum.recall / n, precision: sum.precision / n, mrr: sum.mrr / n, ndcg: sum.ndcg / n };
  return { k, mean, perQuery, skipped };
}
