# Reference values for the statistics across emotions (shift vs r in ../steer.ts, the bootstrap
# interval of a correlation in stats.test.ts), computed with scipy 1.17.1 and numpy 2 (python3 of
# the development machine; about 2 minutes on 2 cores):  python3 across-emotions.reference.py
# Printed: pearson 0.9506565035345778; exact permutation p 0.0017857142857142857 (9 of 5040);
# exact bootstrap 95% percentile interval [0.7396097346346961, 0.9990801634402773]; scipy's own
# random percentile bootstrap (20,000 draws) [0.7418, 0.9990].
# The inputs are the ones hard-coded in the tests; the printed numbers are pasted there.
import itertools

import numpy as np
from scipy import stats

shift = np.array([212.0, -303.0, 45.0, -120.0, 160.0, -15.0, 80.0])
r = np.array([0.71, -0.74, 0.12, -0.35, 0.52, 0.05, -0.10])
n = len(shift)

print("pearson", repr(stats.pearsonr(shift, r).statistic))

# Two-sided permutation p as pva defines it: the share of all 7! pairings whose |r| reaches the
# observed |r| (scipy enumerates them all when n_resamples exceeds 7!).
res = stats.permutation_test(
    (r,),
    lambda y: abs(stats.pearsonr(shift, y).statistic),
    permutation_type="pairings",
    n_resamples=np.inf,
    alternative="greater",
)
print("exact permutation p", repr(res.pvalue))

# The exact percentile bootstrap: every one of the 7^7 equally likely index draws, the r of each
# (undefined draws, with one side constant, dropped), and numpy's linear percentiles.
draws = np.array(list(itertools.product(range(n), repeat=n)))
xs, ys = shift[draws], r[draws]
xc = xs - xs.mean(axis=1, keepdims=True)
yc = ys - ys.mean(axis=1, keepdims=True)
den = np.sqrt((xc * xc).sum(axis=1) * (yc * yc).sum(axis=1))
with np.errstate(invalid="ignore", divide="ignore"):
    rr = np.where(den > 1e-12, (xc * yc).sum(axis=1) / den, np.nan)
rr = np.clip(rr, -1, 1)
print("exact bootstrap 95% percentile interval", [repr(v) for v in np.nanpercentile(rr, [2.5, 97.5])])

# For the record, scipy's own (random) percentile bootstrap of the same statistic.
boot = stats.bootstrap(
    (shift, r),
    lambda a, b: stats.pearsonr(a, b).statistic,
    paired=True,
    vectorized=False,
    n_resamples=20000,
    method="percentile",
    random_state=np.random.default_rng(1),
)
print("scipy.stats.bootstrap percentile (20,000 draws)", boot.confidence_interval)
