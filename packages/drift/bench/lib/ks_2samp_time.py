"""Times scipy.stats.ks_2samp(x, y, method='asymp') for the drift benchmark (bench/lib/scipy-ks.ts).

Usage: python3 ks_2samp_time.py A.f64 B.f64 [C.f64 ...]
Each file is raw little-endian float64. Pairs timed: (A, B), (A, C), ... Per pair: one warm-up call,
then one timed call (the file read and the imports are outside the timing). Prints one JSON line:
{"scipy": version, "numpy": version, "pairs": [{"wall_ms", "cpu_ms", "statistic", "pvalue"}, ...]}.
"""

import json
import sys
import time

import numpy as np
import scipy
from scipy.stats import ks_2samp

samples = [np.fromfile(path, dtype="<f8") for path in sys.argv[1:]]
pairs = []
for other in samples[1:]:
    ks_2samp(samples[0], other, method="asymp")
    w0, c0 = time.perf_counter(), time.process_time()
    r = ks_2samp(samples[0], other, method="asymp")
    w1, c1 = time.perf_counter(), time.process_time()
    pairs.append(
        {
            "wall_ms": (w1 - w0) * 1000,
            "cpu_ms": (c1 - c0) * 1000,
            "statistic": float(r.statistic),
            "pvalue": float(r.pvalue),
        }
    )
print(json.dumps({"scipy": scipy.__version__, "numpy": np.__version__, "pairs": pairs}))
