"""Golden values of the payments encoder (packages/payments/src/encoder.ts), computed from its
definition with Python's math module, independently of the TypeScript code:
log(max(amount, 0.01)) for amount, log1p(max(x, 0)) for device age and distance, each standardized
by the given mean / std (missing -> 0); hour as sin / cos of 2*pi*h/24 (missing -> 0, 0) and a night
flag for 0 <= h <= 5; one-hot merchant category and channel over the sorted vocabularies (unseen or
missing -> all zeros). Run: python3 packages/training/src/ci/golden/make_transform_golden.py
"""
import json
import math
import os

stats = {
    "transformVersion": 1,
    "numeric": {
        "amount": {"mean": 3.4, "std": 1.1},
        "deviceAgeDays": {"mean": 5.2, "std": 1.7},
        "distanceKm": {"mean": 2.3, "std": 2.9},
    },
    "merchantCategory": ["electronics", "grocery", "travel"],
    "channel": ["app", "pos", "web"],
}

inputs = [
    {"amount": 42.5, "hourOfDay": 0, "deviceAgeDays": 3, "distanceKm": 1.2, "merchantCategory": "grocery", "channel": "pos"},
    {"amount": 0.001, "hourOfDay": 5, "deviceAgeDays": 0, "distanceKm": 0.0, "merchantCategory": "travel", "channel": "web"},
    {"amount": 12000.0, "hourOfDay": 6, "deviceAgeDays": 900, "distanceKm": 2500.7, "merchantCategory": "electronics", "channel": "app"},
    {"amount": None, "hourOfDay": None, "deviceAgeDays": None, "distanceKm": None, "merchantCategory": None, "channel": None},
    {"amount": 7.99, "hourOfDay": 23, "deviceAgeDays": -4, "distanceKm": -1.0, "merchantCategory": "crypto", "channel": "kiosk"},
    {"amount": 1.0, "hourOfDay": 12, "deviceAgeDays": 1, "distanceKm": 300.0, "merchantCategory": "grocery", "channel": "web"},
]


def numeric(f, v):
    if v is None:
        return 0.0
    x = math.log(max(v, 0.01)) if f == "amount" else math.log1p(max(v, 0.0))
    return (x - stats["numeric"][f]["mean"]) / stats["numeric"][f]["std"]


def encode(e):
    out = [numeric(f, e[f]) for f in ("amount", "deviceAgeDays", "distanceKm")]
    h = e["hourOfDay"]
    out += [0.0, 0.0] if h is None else [math.sin(2 * math.pi * h / 24), math.cos(2 * math.pi * h / 24)]
    out.append(1.0 if h is not None and 0 <= h <= 5 else 0.0)
    out += [1.0 if e["merchantCategory"] == c else 0.0 for c in stats["merchantCategory"]]
    out += [1.0 if e["channel"] == c else 0.0 for c in stats["channel"]]
    return out


here = os.path.dirname(os.path.abspath(__file__))
with open(os.path.join(here, "transform.json"), "w") as fh:
    json.dump({"stats": stats, "cases": [{"input": e, "expected": encode(e)} for e in inputs]}, fh, indent=1)
    fh.write("\n")
