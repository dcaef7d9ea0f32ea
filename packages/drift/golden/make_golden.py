"""Golden values for @mlops-lab/drift, computed with scipy.

Run from anywhere:  python3 packages/drift/golden/make_golden.py
Writes packages/drift/golden/*.json (kept small: large samples are not stored but described by a
generator spec that src/testing/golden.ts replays bit-for-bit; see `Gen` below).

Every case records the scipy call it reproduces. Seeds are fixed, so re-running gives identical files
for the same scipy/numpy versions (recorded in each file).
"""

import json
import math
import os
import warnings

import numpy as np
import scipy
from scipy import spatial, special, stats

OUT = os.path.dirname(os.path.abspath(__file__))
M32 = 0xFFFFFFFF


def mulberry32(seed):
    """Same generator as src/rng.ts, on unsigned 32-bit patterns."""
    s = seed & M32

    def nxt():
        nonlocal s
        s = (s + 0x6D2B79F5) & M32
        t = s
        t = ((t ^ (t >> 15)) * (t | 1)) & M32
        t ^= (t + (((t ^ (t >> 7)) * (t | 61)) & M32)) & M32
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return nxt


def gen(spec):
    """Replayable sample: only exactly-rounded float ops (+, *, floor), so JS gets the same bits."""
    rnd = mulberry32(spec["seed"])
    out = []
    for _ in range(spec["n"]):
        if spec["kind"] == "uniform":
            v = rnd() * spec["scale"] + spec["shift"]
        elif spec["kind"] == "int":
            v = math.floor(rnd() * spec["scale"]) + spec["shift"]
        elif spec["kind"] == "irwin":  # sum of 4 uniforms - 2: bell-shaped, sd 0.577
            v = (rnd() + rnd() + rnd() + rnd() - 2.0) * spec["scale"] + spec["shift"]
        else:
            raise ValueError(spec["kind"])
        out.append(v)
    return np.array(out, dtype=np.float64)


def G(seed, n, kind="irwin", scale=1.0, shift=0.0):
    return {"gen": "mulberry32", "seed": seed, "n": n, "kind": kind, "scale": scale, "shift": shift}


def data(x):
    return gen(x) if isinstance(x, dict) else np.asarray(x, dtype=np.float64)


def small(rng, n, loc=0.0, scale=1.0, decimals=4):
    return [round(float(v), decimals) for v in rng.normal(loc, scale, n)]


def dump(name, payload):
    payload = {"scipy": scipy.__version__, "numpy": np.__version__, **payload}
    with open(os.path.join(OUT, name), "w") as f:
        json.dump(payload, f, separators=(",", ":"))


def ks_cases():
    rng = np.random.default_rng(20240601)
    cases = [
        ("exact n=m=20 shifted", small(rng, 20), small(rng, 20, 0.8), "auto"),
        ("exact n!=m 30 vs 47", small(rng, 30), small(rng, 47, 0.3, 1.4), "auto"),
        ("heavy ties integers", [int(v) for v in rng.integers(0, 6, 60)], [int(v) for v in rng.integers(1, 7, 45)], "auto"),
        ("ties across samples only", [1, 2, 2, 3, 3, 3, 4], [2, 3, 3, 4, 4, 5, 5, 5], "auto"),
        ("n=m=500 exact", G(1, 500), G(2, 500, shift=0.05), "auto"),
        ("1000 vs 800 exact", G(3, 1000), G(4, 800, scale=1.1), "auto"),
        ("asymp forced 200 vs 300", G(5, 200), G(6, 300, shift=0.1), "asymp"),
        ("asymp forced small en", small(rng, 10), small(rng, 15, 0.5), "asymp"),
        ("asymp forced 60 vs 90 shifted", G(7, 60), G(8, 90, shift=0.4), "asymp"),
        ("large auto->asymp 12000 vs 9000", G(9, 12000), G(10, 9000, shift=0.01), "auto"),
        ("large drifted 12000 vs 9000", G(11, 12000), G(12, 9000, shift=0.05), "auto"),
        ("n=m=10001 (en=5000.5 rounds to even)", G(13, 10001), G(14, 10001, shift=0.02), "auto"),
        ("extreme p exact disjoint-ish", small(rng, 50), small(rng, 60, 3.0), "exact"),
        ("extreme p asymp", G(15, 3000), G(16, 2000, shift=0.6), "asymp"),
        ("extreme p exact 400 vs 300", G(17, 400), G(18, 300, shift=0.5), "exact"),
        ("disjoint n!=m d=1", list(range(40)), [100 + i for i in range(30)], "auto"),
        ("identical samples", [1.5, 2.5, 3.5, 4.5], [1.5, 2.5, 3.5, 4.5], "auto"),
        ("n=1 vs 5", [0.3], [0.1, 0.2, 0.4, 0.5, 0.9], "auto"),
        ("uniform vs integers", G(19, 700, "uniform", 10.0), G(20, 650, "int", 10.0), "auto"),
        ("exact falls back (lcm too big)", G(21, 50021), G(22, 50023, shift=0.01), "exact"),
        ("auto 10000 vs 9999 exact", G(23, 10000), G(24, 9999, shift=0.03), "auto"),
    ]
    out = []
    for name, a, b, method in cases:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            r = stats.ks_2samp(data(a), data(b), alternative="two-sided", method=method)
        fell_back = any("Switching to" in str(w.message) for w in caught)
        n1, n2 = len(data(a)), len(data(b))
        used = "asymp" if method == "asymp" or fell_back or (method == "auto" and max(n1, n2) > 10000) else "exact"
        out.append({"name": name, "a": a, "b": b, "method": method, "statistic": float(r.statistic),
                    "pvalue": float(r.pvalue), "used": used})
    return out


def kstwo_cases():
    out = []
    ns = [1, 2, 3, 5, 10, 50, 140, 141, 500, 5000, 33333, 100000, 100001, 500000, 1000001]
    for n in ns:
        xs = [0.3 / n, 0.8 / n, 1.5 / n, 0.5, 0.7, 1 - 0.5 / n]
        xs += [z / math.sqrt(n) for z in (0.1, 0.5, 0.8, 1.0, 1.36, 1.6, 2.0, 3.0, 5.0, 10.0, 20.0)]
        for x in xs:
            if 0 < x < 1:
                out.append([n, x, float(stats.kstwo.sf(x, n))])
    return out


def chi2_cases():
    rng = np.random.default_rng(7)
    out = []
    for k in range(2, 11):
        for scale in (5, 40, 2000):
            p = rng.dirichlet(np.ones(k))
            q = np.clip(p + rng.normal(0, 0.05, k), 0.001, None)
            q /= q.sum()
            a = rng.multinomial(scale * k, p).tolist()
            b = rng.multinomial(int(scale * k * 0.7) + 1, q).tolist()
            out.append({"ref": a, "cur": b})
    out.append({"ref": [10, 20, 0], "cur": [12, 18, 7]})  # category only in current
    out.append({"ref": [5, 0, 3, 9], "cur": [0, 4, 2, 6]})  # one-sided categories both ways
    out.append({"ref": [1, 1], "cur": [0, 2]})  # tiny counts
    out.append({"ref": [2, 3, 1], "cur": [1, 0, 4]})
    out.append({"ref": [900, 100], "cur": [400, 600]})  # p underflows far
    out.append({"ref": [5000, 5000, 10], "cur": [5100, 4900, 300]})
    out.append({"ref": [3, 0, 5], "cur": [2, 0, 4]})  # a column with zero total: dropped first
    for c in out:
        table = np.array([c["ref"], c["cur"]])
        table = table[:, table.sum(axis=0) > 0]  # scipy refuses zero expected counts; we drop such columns
        r = stats.chi2_contingency(table, correction=False)
        c.update(statistic=float(r.statistic), pvalue=float(r.pvalue), dof=int(r.dof))
    return out


def igamc_cases():
    out = []
    for a in [0.5, 1, 1.5, 2.5, 4.5, 9.5, 10, 12, 35.5, 100, 250, 1000, 5000]:
        for r in [1e-3, 0.1, 0.5, 0.9, 1.0, 1.1, 1.5, 3, 10, 30]:
            x = a * r
            out.append([a, x, float(special.gammaincc(a, x)), float(special.gammainc(a, x))])
    return out


def wasserstein_cases():
    rng = np.random.default_rng(11)
    cases = [
        (small(rng, 7), small(rng, 5, 1.0)),
        ([0, 1, 3], [5, 6, 8]),
        ([1, 1, 2, 2, 2, 7], [2, 2, 3]),
        (G(30, 5000), G(31, 4000, shift=0.3, scale=2.0)),
        (G(32, 3000, "int", 20.0), G(33, 3500, "int", 22.0)),
    ]
    return [{"a": a, "b": b, "distance": float(stats.wasserstein_distance(data(a), data(b)))} for a, b in cases]


def js_cases():
    rng = np.random.default_rng(5)
    cases = [([0.5, 0.5], [0.6, 0.4]), ([1, 0, 0], [0, 1, 0]), ([1, 2, 3, 4], [4, 3, 2, 1]),
             ([10, 0, 5, 5], [8, 2, 5, 0]), ([1, 1], [1, 1])]
    for k in (3, 6, 12):
        cases.append((rng.integers(0, 50, k).tolist(), rng.integers(1, 50, k).tolist()))
    return [{"p": p, "q": q, "distance": float(spatial.distance.jensenshannon(p, q, base=2))} for p, q in cases]


def bh_cases():
    rng = np.random.default_rng(3)
    cases = [[0.01, 0.04, 0.03, 0.2, 0.5], [0.001, 0.001, 0.5, 0.5, 0.04, 1.0], [0.9], [1e-300, 1e-10, 0.05]]
    for m in (10, 40):
        cases.append(np.concatenate([rng.uniform(0, 1, m - 5), rng.uniform(0, 1e-3, 5)]).tolist())
    return [{"p": p, "adjusted": stats.false_discovery_control(p, method="bh").tolist()} for p in cases]


if __name__ == "__main__":
    dump("ks.json", {"cases": ks_cases()})
    dump("kstwo.json", {"cases": kstwo_cases()})
    dump("chi2.json", {"cases": chi2_cases()})
    dump("igamc.json", {"cases": igamc_cases()})
    dump("effects.json", {"wasserstein": wasserstein_cases(), "jensenshannon": js_cases(), "bh": bh_cases()})
    sizes = {f: os.path.getsize(os.path.join(OUT, f)) for f in sorted(os.listdir(OUT)) if f.endswith(".json")}
    print(sizes, "total", sum(sizes.values()))
