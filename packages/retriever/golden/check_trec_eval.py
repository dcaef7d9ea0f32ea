"""Checks golden/metrics.json against trec_eval itself (the reference src/metrics.ts follows).

Run from packages/retriever:  python3 golden/check_trec_eval.py /path/to/trec_eval
trec_eval is NIST's C program (github.com/usnistgov/trec_eval, `make` in its source folder). For each
case the qrels and the run are written in TREC format and evaluated with

  trec_eval -c -q -l <minGrade> -m P.<k> -m recall.<k> -m ndcg_cut.<k>    (and -M <k> -m recip_rank)

-c averages over every qrels query, as evaluateRun does; -M k cuts the ranking at k for recip_rank,
which is what MRR@k is. trec_eval refuses a document listed twice for one query, so the run is written
with repeated ids removed (the first rank kept), the convention of metrics.ts. A query the case lists
with no judgments gets one line judging a dummy document 0, so trec_eval knows the query. trec_eval
prints 4 decimals: every per-query value and every mean must agree to within 5e-5. Exits 1 on a
difference, printing each one.
"""

import json
import os
import subprocess
import sys
import tempfile

from make_golden import dedupe  # the convention metrics.ts follows, one copy

HERE = os.path.dirname(os.path.abspath(__file__))
TOLERANCE = 5e-5 + 1e-12  # half of trec_eval's last printed digit


def write_case(folder, case):
    qrels_path, run_path = os.path.join(folder, "qrels"), os.path.join(folder, "run")
    with open(qrels_path, "w") as f:
        for qid, judged in case["qrels"].items():
            if not judged:
                f.write(f"{qid} 0 no-judgment 0\n")
            for doc, grade in judged.items():
                f.write(f"{qid} 0 {doc} {grade}\n")
    with open(run_path, "w") as f:
        for qid, ranking in case["run"].items():
            ranked = dedupe(ranking)
            # Descending scores keep the given order (trec_eval ranks by score, not by the rank column).
            for i, doc in enumerate(ranked):
                f.write(f"{qid} Q0 {doc} {i + 1} {len(ranked) - i} golden\n")
    return qrels_path, run_path


def trec_eval(binary, args, qrels_path, run_path):
    out = subprocess.run([binary, *args, qrels_path, run_path], capture_output=True, text=True, check=True)
    values = {}
    for line in out.stdout.splitlines():
        measure, qid, value = line.split()
        values[(measure, qid)] = float(value)
    return values


def main():
    if len(sys.argv) != 2:
        print("usage: python3 golden/check_trec_eval.py /path/to/trec_eval", file=sys.stderr)
        sys.exit(2)
    binary = sys.argv[1]
    golden = json.load(open(os.path.join(HERE, "metrics.json")))
    version = subprocess.run([binary, "-v"], capture_output=True, text=True).stderr.strip() or "trec_eval"
    differences, compared = [], 0
    with tempfile.TemporaryDirectory() as folder:
        for case in golden["cases"]:
            k, level = case["k"], case["minGrade"]
            qrels_path, run_path = write_case(folder, case)
            common = ["-c", "-q", "-l", str(level)]
            got = trec_eval(binary, [*common, "-m", f"P.{k}", "-m", f"recall.{k}", "-m", f"ndcg_cut.{k}"],
                            qrels_path, run_path)
            got.update(trec_eval(binary, [*common, "-M", str(k), "-m", "recip_rank"], qrels_path, run_path))
            names = {"precision": f"P_{k}", "recall": f"recall_{k}", "ndcg": f"ndcg_cut_{k}",
                     "mrr": "recip_rank"}
            for name, measure in names.items():
                rows = [(qid, m[name]) for qid, m in case["perQuery"].items()]
                rows.append(("all", case["mean"][name]))
                for qid, want in rows:
                    # trec_eval -q prints no line for a query it scored on its stand-in for a missing
                    # ranking; that query's value is in the mean, and it must be 0 here.
                    have = got.get((measure, qid), 0.0)
                    compared += 1
                    if abs(have - want) > TOLERANCE:
                        differences.append(f"{case['name']} {qid} {name}: trec_eval {have}, golden {want}")
    for line in differences:
        print(line)
    print(f"{version}: {compared} values compared, {len(differences)} differ")
    sys.exit(1 if differences else 0)


if __name__ == "__main__":
    main()
