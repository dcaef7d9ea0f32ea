/**
 * Retrieval metrics for the retrieval half of a RAG evaluation (Q23): recall@k, precision@k, MRR@k
 * and nDCG@k against graded relevance judgments (qrels), as trec_eval defines them (its `P_k`,
 * `recall_k`, `recip_rank` and `ndcg_cut_k` measures; BEIR reports the same numbers through
 * pytrec_eval). golden/make_golden.py re-implements the definitions in Python, the tests match its
 * values to 1e-12, and golden/check_trec_eval.py checks those values against a trec_eval binary.
 *
 * Conventions, where trec_eval leaves a choice to the caller:
 * - A ranking is best-first. A document id repeated in it counts once, at its first position: later
 *   copies are dropped and the documents behind them move up (trec_eval refuses a run that lists a
 *   document twice for one query, and pytrec_eval's run maps each document id to one score, so in
 *   both a document can only ever occupy one rank).
 * - Unjudged documents (absent from qrels) are not relevant.
 * - "Relevant" means grade >= minGrade (default 1, trec_eval's relevance_level, `-l`). nDCG ignores
 *   minGrade and uses every positive grade as its gain, as trec_eval's ndcg_cut does.
 * - MRR is cut at k: only the first k documents are read, so a first relevant document at rank k + 1
 *   scores 0. trec_eval's recip_rank has no cut (it reads the whole ranking); MRR@k equals it with the
 *   ranking truncated to k documents (`trec_eval -M k -m recip_rank`).
 * - Which queries enter the means: see evaluateRun (trec_eval `-c`).
 */
import { RetrieverError } from './errors.ts';

/** Document id -> relevance grade (0 = judged not relevant). */
export type Qrels = Record<string, number>;

export interface RelevanceOptions {
  /** Smallest grade that counts as relevant (default 1). */
  minGrade?: number;
}

/** Refuses a k that is not a positive integer (every measure's cut). */
export function checkK(k: number): void {
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

/**
 * What recall, precision and MRR read of one query: whether each rank of the distinct top k is
 * relevant, and how many relevant documents qrels hold (trec_eval's num_rel).
 */
interface JudgedTop {
  relevant: boolean[];
  numRel: number;
}

function judgeTop(ranked: readonly string[], qrels: Qrels, k: number, minGrade: number): JudgedTop {
  const relevant = topKDistinct(ranked, k).map((id) => grade(qrels, id) >= minGrade);
  return { relevant, numRel: countRelevant(qrels, minGrade) };
}

const recallOf = ({ relevant, numRel }: JudgedTop) =>
  numRel === 0 ? 0 : relevant.filter(Boolean).length / numRel;
const precisionOf = ({ relevant }: JudgedTop, k: number) => relevant.filter(Boolean).length / k;
const mrrOf = ({ relevant }: JudgedTop) => {
  const rank = relevant.indexOf(true) + 1;
  return rank === 0 ? 0 : 1 / rank;
};

/** A measure of one query: its best-first ranking, its qrels, the cut k. */
export type QueryMeasure = (
  ranked: readonly string[],
  qrels: Qrels,
  k: number,
  options?: RelevanceOptions,
) => number;

/**
 * recall@k = |relevant in top k| / |relevant in qrels|; 0 when the query has no relevant document
 * (trec_eval `recall_k`).
 */
export const recallAtK: QueryMeasure = (ranked, qrels, k, options) =>
  recallOf(judgeTop(ranked, qrels, k, minGradeOf(options)));

/**
 * precision@k = |relevant in top k| / k. The divisor is k even when fewer than k documents were
 * returned (trec_eval `P_k`): a retriever that returns less is not rewarded for it.
 */
export const precisionAtK: QueryMeasure = (ranked, qrels, k, options) =>
  precisionOf(judgeTop(ranked, qrels, k, minGradeOf(options)), k);

/**
 * MRR@k for one query = 1 / rank (1-based) of the first relevant document within the top k; 0 if
 * none is. Cut at k: a first relevant document at rank k + 1 scores 0, where trec_eval's uncut
 * recip_rank would give 1 / (k + 1) (the same as `trec_eval -M k -m recip_rank`).
 */
export const mrrAtK: QueryMeasure = (ranked, qrels, k, options) =>
  mrrOf(judgeTop(ranked, qrels, k, minGradeOf(options)));

/**
 * DCG@k (trec_eval's ndcg_cut numerator) = sum over ranks r = 1..k of gain_r / log2(r + 1), with the
 * linear gain gain_r = grade of the document at rank r (0 if unjudged or not positive).
 */
export function dcgAtK(ranked: readonly string[], qrels: Qrels, k: number): number {
  const top = topKDistinct(ranked, k);
  let dcg = 0;
  for (let i = 0; i < top.length; i++) {
    const g = grade(qrels, top[i]);
    if (g > 0) dcg += g / Math.log2(i + 2);
  }
  return dcg;
}

/**
 * Ideal DCG@k: the DCG of ALL positively judged documents of the query sorted by grade, descending,
 * truncated at k, so relevant documents the retriever never returned still lower nDCG. Ties in grade
 * do not matter (equal gains in any order give the same sum).
 */
export function idealDcgAtK(qrels: Qrels, k: number): number {
  checkK(k);
  const ideal = Object.values(qrels)
    .filter((g) => g > 0)
    .sort((a, b) => b - a);
  let idcg = 0;
  for (let i = 0; i < Math.min(k, ideal.length); i++) idcg += ideal[i] / Math.log2(i + 2);
  return idcg;
}

/**
 * nDCG@k = DCG@k / ideal DCG@k (trec_eval `ndcg_cut_k`); 0 when the query has no positively judged
 * document.
 */
export function ndcgAtK(ranked: readonly string[], qrels: Qrels, k: number): number {
  const idcg = idealDcgAtK(qrels, k);
  return idcg === 0 ? 0 : dcgAtK(ranked, qrels, k) / idcg;
}

export interface QueryMetrics {
  recall: number;
  precision: number;
  mrr: number;
  ndcg: number;
}

const METRIC_NAMES = ['recall', 'precision', 'mrr', 'ndcg'] as const;

export interface RunOptions extends RelevanceOptions {
  /**
   * Leave queries without a relevant document (none at minGrade) out of perQuery and the means, and
   * list them in `skipped` (default false: they count, scoring 0, as in trec_eval). The mean over
   * answerable queries: for a golden set that holds deliberately unanswerable queries (the generator
   * should abstain), whose retrieval scores say nothing about the retriever. Not a trec_eval mode.
   */
  skipWithoutRelevant?: boolean;
}

export interface RunEvaluation {
  k: number;
  /** Arithmetic mean over the queries in perQuery (0 for each metric when there is none). */
  mean: QueryMetrics;
  perQuery: Record<string, QueryMetrics>;
  /** Queries of qrels without any document at minGrade (scored as trec_eval does, or skipped). */
  withoutRelevant: string[];
  /** Queries of qrels left out of perQuery and the means: withoutRelevant with skipWithoutRelevant, else none. */
  skipped: string[];
}

/**
 * Evaluate a run (query id -> best-first document ids) against qrels (query id -> document id ->
 * grade), as `trec_eval -c` does: the golden set defines the queries, and the means divide by the
 * number of queries in qrels.
 * - A query of qrels missing from the run is scored on an empty ranking: 0 on everything, so a
 *   retriever cannot raise its mean by failing to answer.
 * - A query of qrels without a relevant document counts too: recall, precision and MRR are 0, and
 *   nDCG is computed from its positive grades like any other (not 0 when minGrade is above a grade it
 *   holds, since ndcg_cut ignores `-l`). A query listed with no judgments at all counts like one
 *   judged not relevant (a qrels file cannot hold it; here it was named, so it is in the golden set).
 *   `skipWithoutRelevant` leaves both kinds out instead.
 * - Run queries absent from qrels are ignored (trec_eval: no relevance information).
 * trec_eval without `-c` averages over the queries in both the run and qrels; that mode is not
 * offered, because it lets a retriever that drops queries score higher.
 */
export function evaluateRun(
  run: Record<string, readonly string[]>,
  qrels: Record<string, Qrels>,
  k: number,
  options?: RunOptions,
): RunEvaluation {
  checkK(k);
  const minGrade = minGradeOf(options);
  const perQuery: Record<string, QueryMetrics> = {};
  const withoutRelevant: string[] = [];
  const skipped: string[] = [];
  for (const [queryId, judged] of Object.entries(qrels)) {
    const ranked = Object.hasOwn(run, queryId) ? run[queryId] : [];
    const top = judgeTop(ranked, judged, k, minGrade);
    if (top.numRel === 0) {
      withoutRelevant.push(queryId);
      if (options?.skipWithoutRelevant) {
        skipped.push(queryId);
        continue;
      }
    }
    perQuery[queryId] = {
      recall: recallOf(top),
      precision: precisionOf(top, k),
      mrr: mrrOf(top),
      ndcg: ndcgAtK(ranked, judged, k),
    };
  }
  const rows = Object.values(perQuery);
  const mean = {} as QueryMetrics;
  for (const name of METRIC_NAMES) {
    // Summed in query order, as trec_eval accumulates, then divided once.
    let sum = 0;
    for (const m of rows) sum += m[name];
    mean[name] = rows.length === 0 ? 0 : sum / rows.length;
  }
  return { k, mean, perQuery, withoutRelevant, skipped };
}
