/**
 * Where a run's nDCG@k comes from, grade by grade (Q23): why nDCG can sit far below recall. nDCG of
 * one query is DCG / ideal DCG (trec_eval's ndcg_cut, metrics.ts), and DCG is a sum over ranks, so it
 * splits exactly by the grade of the document at each rank: the mean nDCG of a run is the sum of one
 * contribution per grade. The ideal DCG splits the same way (it is sorted by grade, so the documents
 * of grade >= g form a prefix of it), which says how much of the attainable score each grade holds.
 * Queries count as in evaluateRun (every query of qrels, trec_eval -c).
 */
import { checkK, dcgAtK, idealDcgAtK, type Qrels, topKDistinct } from './metrics.ts';

export interface GradeBreakdown {
  grade: number;
  /** Documents judged at this grade, mean per query. */
  judgedPerQuery: number;
  /** Share of those documents that appear in the top k. */
  foundShare: number;
  /** Mean 1-based rank of those found (NaN when none is found). */
  meanRankFound: number;
  /** This grade's part of the ideal DCG@k, mean over queries of part / ideal (0 where the ideal is 0). */
  idealShare: number;
  /** This grade's part of the mean nDCG@k: mean over queries of its DCG / ideal DCG. */
  ndcgContribution: number;
}

export interface NdcgBreakdown {
  k: number;
  /** Mean nDCG@k (the sum of the contributions; equal to evaluateRun's mean.ndcg). */
  ndcg: number;
  /** Mean DCG@k and mean ideal DCG@k over the queries. */
  meanDcg: number;
  meanIdealDcg: number;
  /** One row per positive grade found in qrels, highest first. */
  grades: GradeBreakdown[];
}

const onlyGrades = (qrels: Qrels, keep: (g: number) => boolean): Qrels =>
  Object.fromEntries(Object.entries(qrels).filter(([, g]) => keep(g)));

/** Split a run's mean nDCG@k by relevance grade (see the file comment). */
export function ndcgByGrade(
  run: Record<string, readonly string[]>,
  qrels: Record<string, Qrels>,
  k: number,
): NdcgBreakdown {
  checkK(k);
  const queries = Object.keys(qrels);
  const grades = [...new Set(queries.flatMap((q) => Object.values(qrels[q])).filter((g) => g > 0))].sort(
    (a, b) => b - a,
  );
  const rows = new Map(
    grades.map((grade) => [grade, { judged: 0, found: 0, rankSum: 0, idealShare: 0, contribution: 0 }]),
  );
  let dcgSum = 0;
  let idealSum = 0;
  let ndcgSum = 0;
  for (const q of queries) {
    const judged = qrels[q];
    const ranked = Object.hasOwn(run, q) ? run[q] : [];
    const top = topKDistinct(ranked, k);
    const ideal = idealDcgAtK(judged, k);
    const dcg = dcgAtK(ranked, judged, k);
    dcgSum += dcg;
    idealSum += ideal;
    if (ideal > 0) ndcgSum += dcg / ideal;
    for (const [grade, row] of rows) {
      const ids = Object.keys(judged).filter((id) => judged[id] === grade);
      row.judged += ids.length;
      for (const id of ids) {
        const rank = top.indexOf(id) + 1;
        if (rank > 0) {
          row.found++;
          row.rankSum += rank;
        }
      }
      if (ideal === 0) continue;
      // The ideal's part for this grade: the prefix of grades >= g minus the prefix of grades > g.
      const part =
        idealDcgAtK(
          onlyGrades(judged, (g) => g >= grade),
          k,
        ) -
        idealDcgAtK(
          onlyGrades(judged, (g) => g > grade),
          k,
        );
      row.idealShare += part / ideal;
      row.contribution +=
        dcgAtK(
          ranked,
          onlyGrades(judged, (g) => g === grade),
          k,
        ) / ideal;
    }
  }
  const n = queries.length;
  const per = (x: number) => (n === 0 ? 0 : x / n);
  return {
    k,
    ndcg: per(ndcgSum),
    meanDcg: per(dcgSum),
    meanIdealDcg: per(idealSum),
    grades: [...rows].map(([grade, r]) => ({
      grade,
      judgedPerQuery: per(r.judged),
      foundShare: r.judged === 0 ? 0 : r.found / r.judged,
      meanRankFound: r.found === 0 ? Number.NaN : r.rankSum / r.found,
      idealShare: per(r.idealShare),
      ndcgContribution: per(r.contribution),
    })),
  };
}
