# Reference values for stats.test.ts, computed with Debian's python3-scipy 1.10.1, numpy 1.24.2 and
# python3-statsmodels 0.13.5:  /usr/bin/python3 stats.reference.py
# The inputs are the ones hard-coded in stats.test.ts; the printed numbers are pasted there.
import numpy as np
from scipy import stats
from statsmodels.stats.multitest import multipletests

x = np.array([2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 6.1, 5.0, 3.9, 4.7, 2.2])
y = np.array([1.0, 2.0, 2.0, 4.0, 3.0, 3.0, 2.0, 5.0, 4.0, 3.0, 3.0, 1.0])  # ties
z = np.array([0.3, 0.9, 0.1, 1.8, 1.1, 0.7, 0.5, 2.2, 1.5, 0.6, 1.4, 0.2])

print("pearson", repr(stats.pearsonr(x, y)[0]))
print("spearman", repr(stats.spearmanr(x, y)[0]))
# partial correlation as the correlation of least-squares residuals on [1, z]
Z = np.column_stack([np.ones_like(z), z])
rx = x - Z @ np.linalg.lstsq(Z, x, rcond=None)[0]
ry = y - Z @ np.linalg.lstsq(Z, y, rcond=None)[0]
print("partial", repr(stats.pearsonr(rx, ry)[0]))

p = np.array([0.01, 0.04, 0.03, 0.2, 0.5, 0.001, 0.04, 0.8, 0.06, 0.012])
print("bh", [repr(v) for v in multipletests(p, method="fdr_bh")[1]])

s = np.array([0.5, 0.1, 0.9, 0.3, 0.7, 0.2, 0.8])
print("percentile", [repr(v) for v in np.percentile(s, [2.5, 97.5])])

# Exact two-sided permutation p of Pearson's r on 7 pairs: share of all 7! pairings with |r| >= observed.
import itertools
a = np.array([0.4, 1.3, 0.2, 2.2, 1.0, 1.9, 0.7])
b = np.array([1.1, 0.9, 0.3, 1.5, 2.0, 1.2, 0.8])
obs = abs(stats.pearsonr(a, b)[0])
perms = list(itertools.permutations(b))
hits = sum(abs(np.corrcoef(a, np.array(q))[0, 1]) >= obs * (1 - 1e-12) for q in perms)
print("exact permutation p", hits, len(perms), repr(hits / len(perms)))
