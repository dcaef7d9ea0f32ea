"""Golden values for @mlops-lab/evaluation (src/*.ts), from numpy + scipy only, independent of the TS code.

Run from anywhere:  python3 packages/evaluation/golden/make_golden.py
Writes, beside this file:
- auc.json: AUC = U / (n1 n0) with U from scipy.stats.mannwhitneyu (U of the positives, ties given
  average ranks), the definition sklearn's roc_auc_score uses;
- delong.json: DeLong et al. (1988) from the plain pairwise structural components, psi(x, y) = 1 if
  x > y, 1/2 if equal, computed as a full n1 x n0 matrix (no ranks, unlike the Sun & Xu algorithm in
  the TS code); p = scipy.stats.norm.sf(z), one-sided for "challenger better by more than the margin";
  and a few paired bootstrap replicates, drawing indices with the same mulberry32 stream as the TS code
  and computing each resample's AUCs with mannwhitneyu on the expanded arrays (checks the weighted AUC);
- quantile.json: numpy.quantile with method="linear" (numpy's default, Hyndman & Fan type 7) and
  method="inverted_cdf" (type 1, the nearest rank);
- wilson.json: scipy.stats.binomtest(k, n).proportion_ci(method="wilson") (Wilson 1927, no continuity
  correction) with the z it implies;
- normal.json: scipy.stats.norm.sf on both tails, out to z = 30.
Seeds are fixed, so re-running gives the same inputs and the same numbers for the same numpy/scipy
versions (recorded), except that numpy's BLAS may sum DeLong's covariances in another order on another
CPU: se, z and p can then move in their last digit (1e-15 relative; the tests allow 1e-9).
The JSON is then laid out by the repository's formatter (pnpm exec biome format --write), so that
`biome check .` in the package stays clean; layout only, the numbers are untouched.
auc.json and delong.json were first made by the generators of packages/training and packages/router,
where this code lived; their sections here are those generators unchanged (same seeds, same numbers).
"""

import json
import math
import os
import subprocess

import numpy as np
import scipy
from scipy import stats

OUT = os.path.dirname(os.path.abspath(__file__))
M32 = 0xFFFFFFFF


def mulberry32(seed):
    """Same generator as mulberry32 in @mlops-lab/datagen, on unsigned 32-bit patterns."""
    s = seed & M32

    def imul(a, b):
        return (a * b) & M32

    def nxt():
        nonlocal s
        s = (s + 0x6D2B79F5) & M32
        t = s
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return nxt


def mw_auc(scores, labels):
    pos, neg = scores[labels == 1], scores[labels == 0]
    u = stats.mannwhitneyu(pos, neg, alternative="two-sided").statistic
    return float(u) / (len(pos) * len(neg))


def delong(champion, challenger, labels, margin=0.0):
    def comps(s):
        x, y = s[labels == 1], s[labels == 0]
        psi = (x[:, None] > y[None, :]).astype(float) + 0.5 * (x[:, None] == y[None, :])
        return psi.mean(axis=1), psi.mean(axis=0)  # V10 per positive, V01 per negative

    a10, a01 = comps(champion)
    b10, b01 = comps(challenger)
    s10 = np.cov(np.vstack([a10, b10]))  # unbiased (ddof=1)
    s01 = np.cov(np.vstack([a01, b01]))
    n1, n0 = len(a10), len(a01)
    c = np.array([-1.0, 1.0])  # challenger - champion
    var = c @ s10 @ c / n1 + c @ s01 @ c / n0
    auc_a, auc_b = mw_auc(champion, labels), mw_auc(challenger, labels)
    delta = auc_b - auc_a
    se = math.sqrt(var)
    z = (delta - margin) / se
    return {
        "champion": auc_a,
        "challenger": auc_b,
        "delta": delta,
        "se": se,
        "z": z,
        "p": float(stats.norm.sf(z)),
        "positives": n1,
        "negatives": n0,
    }


def make_case(name, seed, n, prevalence, sig_a, sig_b, shared, round_a=None, round_b=None, margin=0.0):
    rng = np.random.default_rng(seed)
    labels = (rng.random(n) < prevalence).astype(int)
    common = math.sqrt(shared) * rng.standard_normal(n)
    r = math.sqrt(1 - shared)
    a = sig_a * labels + common + r * rng.standard_normal(n)
    b = sig_b * labels + common + r * rng.standard_normal(n)
    if round_a is not None:
        a = np.round(a, round_a)
    if round_b is not None:
        b = np.round(b, round_b)
    return {
        "name": name,
        "margin": margin,
        "input": {"champion": a.tolist(), "challenger": b.tolist(), "labels": labels.tolist()},
        "expected": delong(a, b, labels, margin),
    }


def bootstrap_replicates(case, resamples, seed):
    a, b = np.array(case["input"]["champion"]), np.array(case["input"]["challenger"])
    y = np.array(case["input"]["labels"])
    n = len(y)
    rnd = mulberry32(seed)
    out = []
    for _ in range(resamples):
        idx = np.array([math.floor(rnd() * n) for _ in range(n)])
        out.append(mw_auc(b[idx], y[idx]) - mw_auc(a[idx], y[idx]))
    return out


def auc_cases():
    """The AUC cases of packages/training's generator, unchanged."""
    rng = np.random.default_rng(7)
    cases = []
    for n, ties in [(10, False), (50, True), (200, False), (1000, True)]:
        labels = (rng.random(n) < 0.3).astype(int)
        labels[0], labels[1] = 0, 1  # both classes present
        scores = rng.random(n) + 0.4 * labels
        if ties:
            scores = np.round(scores * 5) / 5
        pos, neg = scores[labels == 1], scores[labels == 0]
        u = stats.mannwhitneyu(pos, neg, alternative="two-sided").statistic
        cases.append(
            {
                "scores": [float(s) for s in scores],
                "labels": [int(v) for v in labels],
                "auc": float(u / (len(pos) * len(neg))),
            }
        )
    return {"reference": "scipy.stats.mannwhitneyu U / (n1 n0)", "cases": cases}


def delong_doc():
    cases = [
        make_case("small, heavy ties (1 decimal)", 11, 60, 0.4, 1.0, 1.3, 0.3, round_a=0, round_b=1),
        make_case("n=200, ties (2 decimals)", 12, 200, 0.3, 1.0, 1.0, 0.5, round_a=1, round_b=2),
        make_case("n=1000 continuous, better challenger", 13, 1000, 0.2, 1.0, 1.3, 0.6),
        make_case("n=1500 continuous, null", 14, 1500, 0.15, 0.8, 0.8, 0.5),
        make_case("rare positives, 5-level champion", 15, 800, 0.05, 1.0, 1.2, 0.4, round_a=0),
        make_case("margin 0.01", 16, 1200, 0.25, 1.0, 1.4, 0.5, margin=0.01),
        make_case("worse challenger", 17, 900, 0.3, 1.2, 0.9, 0.7),
    ]
    boot = {"case": 0, "seed": 7, "deltas": bootstrap_replicates(cases[0], 5, 7)}
    for c in cases:
        e = c["expected"]
        aucs = f"auc {e['champion']:.4f} -> {e['challenger']:.4f}"
        print(f"{c['name']}: {aucs}, z {e['z']:.3f}, p {e['p']:.4g}")
    print("bootstrap deltas", boot["deltas"])
    return {
        "generator": "packages/evaluation/golden/make_golden.py",
        "numpy": np.__version__,
        "scipy": scipy.__version__,
        "cases": cases,
        "bootstrap": boot,
    }


QS = [0.0, 0.01, 0.05, 0.1, 0.25, 1 / 3, 0.5, 0.75, 0.9, 0.95, 0.99, 1.0]


def quantile_doc():
    rng = np.random.default_rng(21)
    samples = {
        "one value": [4.2],
        "two values": [1.0, 3.0],
        "ten with ties": [3.0, 1.0, 3.0, 2.0, 3.0, 5.0, 1.0, 8.0, 2.0, 3.0],
        "n=7 normal": rng.standard_normal(7).tolist(),
        "n=100 exponential (latencies)": rng.exponential(20.0, 100).tolist(),
        "n=1001 rounded (many ties)": np.round(rng.standard_normal(1001), 1).tolist(),
    }
    cases = []
    for name, values in samples.items():
        arr = np.array(values)
        cases.append(
            {
                "name": name,
                "values": values,
                "qs": QS,
                "linear": [float(np.quantile(arr, q, method="linear")) for q in QS],
                "inverted_cdf": [float(np.quantile(arr, q, method="inverted_cdf")) for q in QS],
            }
        )
    return {"reference": "numpy.quantile, methods linear and inverted_cdf", "numpy": np.__version__, "cases": cases}


def wilson_doc():
    cases = []
    for k, n, level in [
        (0, 10, 0.95),
        (1, 10, 0.95),
        (5, 10, 0.95),
        (10, 10, 0.95),
        (18, 400, 0.95),
        (20, 400, 0.95),
        (60, 400, 0.95),
        (3, 1000, 0.95),
        (20, 400, 0.9),
        (7, 50, 0.99),
    ]:
        ci = stats.binomtest(k, n).proportion_ci(confidence_level=level, method="wilson")
        z = float(stats.norm.isf((1 - level) / 2))
        cases.append({"successes": k, "trials": n, "level": level, "z": z, "ci": [ci.low, ci.high]})
    return {"reference": "scipy.stats.binomtest(k, n).proportion_ci(method='wilson')", "cases": cases}


def normal_doc():
    zs = [-8.0, -3.0, -1.959963984540054, -1.0, -0.1, 0.0, 0.3, 1.0, 1.6448536269514722, 2.0]
    zs += [3.5355, 3.5356, 4.0, 5.0, 6.0, 8.0, 10.0, 20.0, 30.0]  # z / sqrt 2 crosses 2.5 near 3.5355
    return {"reference": "scipy.stats.norm.sf", "cases": [{"z": z, "sf": float(stats.norm.sf(z))} for z in zs]}


def main():
    docs = {
        "auc.json": auc_cases(),
        "delong.json": delong_doc(),
        "quantile.json": quantile_doc(),
        "wilson.json": wilson_doc(),
        "normal.json": normal_doc(),
    }
    paths = []
    for name, doc in docs.items():
        path = os.path.join(OUT, name)
        with open(path, "w") as f:
            json.dump(doc, f)
            f.write("\n")
        paths.append(path)
    root = os.path.dirname(os.path.dirname(os.path.dirname(OUT)))
    subprocess.run(["pnpm", "exec", "biome", "format", "--write", *paths], cwd=root, check=True)


if __name__ == "__main__":
    main()
