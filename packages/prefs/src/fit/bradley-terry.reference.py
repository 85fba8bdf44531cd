"""Independent reference for bradley-terry.test.ts: the same MAP objective maximised by scipy.

Run: /usr/bin/python3 packages/prefs/src/fit/bradley-terry.reference.py
Objective (per ordered pair k with first i, second j, score s_k in [0, 1]):
  s_k log sigmoid(t_i - t_j + g) + (1 - s_k) log sigmoid(t_j - t_i - g)
plus, per activity, `prior` virtual games against strength 0 won half the time, and the same
prior on the first-position term g. Strengths are reported centred to mean 0.
"""
import json

import numpy as np
from scipy.optimize import minimize
from scipy.special import log_expit

# (first, second, score of first); item 0 wins every comparison it takes part in.
OUTCOMES = [
    (0, 1, 1.0), (1, 0, 0.0), (0, 2, 1.0), (2, 0, 0.0), (0, 3, 1.0), (3, 0, 0.0),
    (1, 2, 0.7), (2, 1, 0.45), (1, 3, 0.9), (3, 1, 0.2), (2, 3, 0.6), (3, 2, 0.5),
    (1, 4, 0.8), (4, 1, 0.35), (2, 4, 1.0), (4, 3, 0.55), (3, 4, 0.75), (4, 2, 0.1),
]
SIZE = 5


def fit(prior, with_bias):
    def negative_log_posterior(x):
        t = x[:SIZE]
        g = x[SIZE] if with_bias else 0.0
        total = 0.0
        for i, j, s in OUTCOMES:
            d = t[i] - t[j] + g
            total += s * log_expit(d) + (1 - s) * log_expit(-d)
        total += (prior / 2) * np.sum(log_expit(t) + log_expit(-t))
        if with_bias:
            total += (prior / 2) * (log_expit(g) + log_expit(-g))
        return -total

    x0 = np.zeros(SIZE + (1 if with_bias else 0))
    res = minimize(negative_log_posterior, x0, method="BFGS", options={"gtol": 1e-12, "maxiter": 10000})
    t = res.x[:SIZE]
    return {
        "strength": [round(v, 8) for v in (t - t.mean())],
        "positionBias": round(float(res.x[SIZE]), 8) if with_bias else 0.0,
        "logPosterior": round(float(-res.fun), 8),
    }


print(json.dumps({"prior0.5_bias": fit(0.5, True), "prior2_nobias": fit(2.0, False)}, indent=1))
