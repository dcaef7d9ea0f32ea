"""Golden values for src/metrics.ts, following trec_eval's definitions, written independently of the TS.

Run from packages/retriever:  python3 golden/make_golden.py && pnpm exec biome format --write golden
Writes packages/retriever/golden/metrics.json: seeded random runs and qrels (stored in full, they are
small) with the per-query and mean P_k, recall_k, recip_rank@k and ndcg_cut_k that trec_eval defines:

  P_k         = rel_ret(top k) / k                       (k even when fewer documents were returned)
  recall_k    = rel_ret(top k) / num_rel                 (0 when num_rel = 0)
  recip_rank  = 1 / rank of the first relevant in top k  (0 if none)
  ndcg_cut_k  = DCG_k / IDCG_k, DCG = sum gain / log2(rank + 1), gain = grade (> 0 only),
                IDCG from all positively judged grades sorted descending, truncated at k.

relevant = grade >= min_grade (trec_eval's relevance_level, default 1). A document id repeated in a
ranking counts once, at its first rank (later copies removed). The means divide by the number of
qrels queries, as trec_eval -c does: a qrels query missing from the run is scored on an empty ranking
(0 everywhere), a query without a relevant document counts with recall, P and recip_rank 0 and its
nDCG from its positive grades. Each case also holds the means with those queries left out
(meanSkipWithoutRelevant, the skipWithoutRelevant option).

check_trec_eval.py compares the file with a trec_eval binary.
"""

import json
import math
import os

import numpy as np

OUT = os.path.dirname(os.path.abspath(__file__))
SEED = 20231


def dedupe(ranking):
    seen, out = set(), []
    for d in ranking:
        if d not in seen:
            seen.add(d)
            out.append(d)
    return out


def measures(ranking, qrels, k, min_grade):
    ranked = dedupe(ranking)[:k]
    rel = [qrels.get(d, 0) for d in ranked]
    is_rel = [g >= min_grade for g in rel]
    num_rel = sum(1 for g in qrels.values() if g >= min_grade)
    rel_ret = sum(is_rel)
    first = next((i for i, r in enumerate(is_rel) if r), None)
    # DCG and IDCG term by term in rank order, as trec_eval's m_ndcg_cut.c accumulates them.
    dcg = 0.0
    for i, g in enumerate(rel):
        if g > 0:
            dcg += g / math.log2(i + 2)
    ideal = sorted((g for g in qrels.values() if g > 0), reverse=True)[:k]
    idcg = 0.0
    for i, g in enumerate(ideal):
        idcg += g / math.log2(i + 2)
    return {
        "recall": rel_ret / num_rel if num_rel else 0.0,
        "precision": rel_ret / k,
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
        "ndcg": dcg / idcg if idcg > 0 else 0.0,
    }


def mean_of(per_query):
    mean = {}
    for name in ["recall", "precision", "mrr", "ndcg"]:
        total = 0.0
        for m in per_query.values():
            total += m[name]
        mean[name] = total / len(per_query) if per_query else 0.0
    return mean


def evaluate(run, qrels, k, min_grade=1):
    per_query, without = {}, []
    for qid, judged in qrels.items():
        if not any(g >= min_grade for g in judged.values()):
            without.append(qid)
        per_query[qid] = measures(run.get(qid, []), judged, k, min_grade)
    answerable = {q: m for q, m in per_query.items() if q not in without}
    return {"perQuery": per_query, "mean": mean_of(per_query), "withoutRelevant": without,
            "meanSkipWithoutRelevant": mean_of(answerable)}


def random_case(rng, name, n_queries, pool, k, min_grade):
    run, qrels = {}, {}
    for q in range(n_queries):
        qid = f"q{q}"
        docs = [f"d{i}" for i in range(pool)]
        n_judged = int(rng.integers(0, 10))
        judged = rng.choice(pool, size=min(n_judged, pool), replace=False)
        # Grades 0..3 with many ties; some queries end up with no relevant document at all.
        qrels[qid] = {docs[int(j)]: int(rng.integers(0, 4)) for j in judged}
        if rng.random() < 0.1:
            continue  # query missing from the run
        length = int(rng.integers(0, 2 * k + 3))
        ranking = [docs[int(i)] for i in rng.integers(0, pool, size=length)]  # duplicates happen
        run[qid] = ranking
    return {"name": name, "k": k, "minGrade": min_grade, "run": run, "qrels": qrels,
            **evaluate(run, qrels, k, min_grade)}


def main():
    rng = np.random.default_rng(SEED)
    cases = []
    for i, (k, pool, min_grade) in enumerate(
        [(1, 12, 1), (3, 15, 1), (5, 20, 1), (10, 25, 1), (10, 25, 2), (20, 40, 1), (5, 8, 3)]
    ):
        cases.append(random_case(rng, f"random-{i}-k{k}-min{min_grade}", 40, pool, k, min_grade))
    with open(os.path.join(OUT, "metrics.json"), "w") as f:
        json.dump({"seed": SEED, "numpy": np.__version__, "definitions": "trec_eval (see make_golden.py)",
                   "cases": cases}, f, indent=1, sort_keys=False)
        f.write("\n")


if __name__ == "__main__":
    main()
