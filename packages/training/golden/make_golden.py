"""Golden AUC values for packages/training: AUC = U / (n1 * n0) with scipy.stats.mannwhitneyu
(U of the positives, ties given average ranks), which is the definition sklearn's roc_auc_score uses.
Run: python3 packages/training/golden/make_golden.py > packages/training/golden/auc.json"""
import json

import numpy as np
from scipy.stats import mannwhitneyu

rng = np.random.default_rng(7)
cases = []
for n, ties in [(10, False), (50, True), (200, False), (1000, True)]:
    labels = (rng.random(n) < 0.3).astype(int)
    labels[0], labels[1] = 0, 1  # both classes present
    scores = rng.random(n) + 0.4 * labels
    if ties:
        scores = np.round(scores * 5) / 5
    pos, neg = scores[labels == 1], scores[labels == 0]
    u = mannwhitneyu(pos, neg, alternative="two-sided").statistic
    cases.append({"scores": [float(s) for s in scores], "labels": [int(l) for l in labels],
                  "auc": float(u / (len(pos) * len(neg)))})
print(json.dumps({"reference": "scipy.stats.mannwhitneyu U / (n1 n0)", "cases": cases}))
