"""Intervals for the numbers a sentence compares, and the rule that says when two cannot be told apart.

Every function takes counts or arrays and returns numbers: no I/O. The confidence level is the
run's `analysis.uncertainty.confidence_level`.

- `wilson_interval(k, n)`: the Wilson score interval of a share k/n (good coverage down to small n).
- `clopper_pearson_interval(k, n)`: the exact (conservative) interval of a share, from the beta law.
- `bootstrap_interval(values, statistic)`: the percentile bootstrap interval of any statistic of a sample.
- `mean_interval(values)`: the Student t interval of a sample's mean (e.g. the mean contrast of decodes).
- `correlation_interval(r, n)`: the Fisher z interval of a Pearson r measured on n points.
- `intervals_overlap(a, b)`: two estimates cannot be told apart when their intervals overlap.
- `rank_groups(estimates, intervals)`: groups of estimates, best first, whose members cannot be told
  apart from the group's best.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence

import numpy as np
from scipy import stats


def _share_interval(k: int, n: int, confidence: float, method: str) -> tuple[float, float]:
    if n < 0 or not 0 <= k <= n:
        raise ValueError(f"need 0 <= k <= n, got k = {k}, n = {n}")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    if n == 0:
        return 0.0, 1.0
    interval = stats.binomtest(int(k), int(n)).proportion_ci(confidence_level=confidence, method=method)
    return float(interval.low), float(interval.high)


def wilson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval of the share k/n; (0, 1) when n is 0."""
    return _share_interval(k, n, confidence, "wilson")


def clopper_pearson_interval(k: int, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (Clopper-Pearson) interval of the share k/n: never shorter than it must be; (0, 1) when n is 0."""
    return _share_interval(k, n, confidence, "exact")


def bootstrap_interval(values: np.ndarray, statistic: Callable[[np.ndarray], float], confidence: float = 0.95,
                       n_resamples: int = 1000, rng: np.random.Generator | None = None) -> tuple[float, float]:
    """Percentile bootstrap interval of `statistic` over resamples of the rows of `values`."""
    values = np.asarray(values)
    if len(values) == 0:
        raise ValueError("bootstrap_interval needs at least one value")
    rng = np.random.default_rng(0) if rng is None else rng
    draws = np.array([statistic(values[rng.integers(0, len(values), len(values))]) for _ in range(n_resamples)])
    alpha = 1 - confidence
    low, high = np.quantile(draws, [alpha / 2, 1 - alpha / 2])
    return float(low), float(high)


def mean_interval(values: np.ndarray, confidence: float = 0.95) -> tuple[float, float]:
    """Student t interval of the mean of `values` (shape (n,)); a single value gives (value, value).

    The mean pixel spread of a few dozen decodes is close to normal, so the t interval is exact
    enough, and unlike a bootstrap it needs no random draws.
    """
    values = np.asarray(values, dtype=np.float64).ravel()
    if len(values) == 0:
        raise ValueError("mean_interval needs at least one value")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must lie in (0, 1), got {confidence}")
    mean = float(values.mean())
    if len(values) == 1:
        return mean, mean
    half = float(stats.t.ppf((1 + confidence) / 2, len(values) - 1) * values.std(ddof=1) / np.sqrt(len(values)))
    return mean - half, mean + half


def correlation_interval(r: float, n: int, confidence: float = 0.95) -> tuple[float, float]:
    """Fisher z interval of a Pearson correlation r measured on n points; (-1, 1) when n <= 3."""
    if not -1 <= r <= 1:
        raise ValueError(f"r must lie in [-1, 1], got {r}")
    if n <= 3:
        return -1.0, 1.0
    if abs(r) == 1:
        return float(r), float(r)
    half = stats.norm.ppf((1 + confidence) / 2) / np.sqrt(n - 3)
    centre = np.arctanh(r)
    return float(np.tanh(centre - half)), float(np.tanh(centre + half))


def intervals_overlap(a: Sequence[float], b: Sequence[float]) -> bool:
    """True when the closed intervals a = (low, high) and b overlap: the two estimates cannot be told apart."""
    return bool(a[0] <= b[1] and b[0] <= a[1])


def rank_groups(estimates: Sequence[float], intervals: Sequence[Sequence[float]]) -> list[int]:
    """Rank groups from 1 (best = highest estimate), for estimates listed best first.

    Walking down the list, an estimate joins the current group while its interval overlaps the
    interval of the group's first (best) member; otherwise it opens the next group. Members of one
    group cannot be told apart from its best, and the groups never decrease along the list.
    """
    if len(estimates) != len(intervals):
        raise ValueError("one interval per estimate")
    if any(later > earlier for earlier, later in itertools.pairwise(estimates)):
        raise ValueError("estimates must be listed best (highest) first")
    groups: list[int] = []
    leader = None
    for interval in intervals:
        if leader is None or not intervals_overlap(leader, interval):
            leader = interval
            groups.append(len(set(groups)) + 1)
        else:
            groups.append(groups[-1])
    return groups
