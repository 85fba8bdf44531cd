# Reference values for correlate.test.ts's "aligns activities by id" test, computed with scipy 1.17.1
# and numpy (python3 of the development machine):  python3 correlate.reference.py
# Activities "<word> task <i>" (3 words each) with AFINN scores enjoy +2, good +3, harm -2,
# hate -3, sort 0, help +2; the sentiment package's comparative score is the sum over the words
# divided by their number, so each activity's sentiment is its word's score / 3.
import numpy as np
from scipy import stats

afinn = {"enjoy": 2, "good": 3, "harm": -2, "hate": -3, "sort": 0, "help": 2}
words = ["enjoy", "good", "harm", "hate", "sort", "help", "enjoy", "hate"]
sentiment = np.array([afinn[w] / 3 for w in words])
elo = np.array([1510.0, 1620.0, 1440.0, 1380.0, 1500.0, 1600.0, 1530.0, 1450.0])
probe = np.array([0.3, 0.8, -0.2, -0.5, 0.4, 0.2, 0.1, 0.0])

print("pearson", repr(stats.pearsonr(probe, elo).statistic))
print("spearman", repr(stats.spearmanr(probe, elo).statistic))
Z = np.column_stack([np.ones_like(sentiment), sentiment])
rx = probe - Z @ np.linalg.lstsq(Z, probe, rcond=None)[0]
ry = elo - Z @ np.linalg.lstsq(Z, elo, rcond=None)[0]
print("partial", repr(stats.pearsonr(rx, ry).statistic))
