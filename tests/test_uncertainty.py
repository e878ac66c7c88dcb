"""Intervals of shares and statistics, and rank groups, against known values."""

from __future__ import annotations

import numpy as np
import pytest

from report.stats.uncertainty import (
    bootstrap_interval,
    clopper_pearson_interval,
    correlation_interval,
    intervals_overlap,
    mean_interval,
    rank_groups,
    wilson_interval,
)


def test_wilson_interval_matches_the_closed_form():
    k, n, z = 7, 20, 1.959963984540054
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    assert wilson_interval(k, n) == pytest.approx((centre - half, centre + half), abs=1e-12)


def test_clopper_pearson_of_no_successes_has_the_rule_of_three_width():
    low, high = clopper_pearson_interval(0, 300)
    assert low == 0.0
    assert high == pytest.approx(1 - 0.025 ** (1 / 300), rel=1e-9)  # solves (1 - p)^n = alpha / 2


def test_exact_interval_is_never_shorter_than_wilsons_for_extreme_shares():
    for k, n in ((0, 21), (20, 21), (1, 50)):
        exact, wilson = clopper_pearson_interval(k, n), wilson_interval(k, n)
        assert exact[1] - exact[0] >= wilson[1] - wilson[0] - 1e-12


def test_intervals_contain_the_share_and_narrow_with_n():
    for n in (10, 100, 1000):
        low, high = wilson_interval(n // 4, n)
        assert low < 0.25 < high
    assert np.diff(wilson_interval(250, 1000)) < np.diff(wilson_interval(25, 100))


def test_empty_sample_says_nothing_and_bad_counts_are_refused():
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError):
        wilson_interval(5, 3)


def test_bootstrap_interval_of_a_normal_mean_covers_the_truth_at_its_rate():
    rng = np.random.default_rng(3)
    covered = 0
    for _ in range(200):
        sample = rng.normal(1.0, 2.0, 80)
        low, high = bootstrap_interval(sample, np.mean, 0.9, 400, rng)
        covered += low <= 1.0 <= high
    assert 0.82 <= covered / 200 <= 0.96


def test_mean_interval_matches_the_t_formula_and_covers_at_its_rate():
    values = np.array([0.1, 0.3, 0.2, 0.4, 0.25])
    half = 2.7764451051977987 * values.std(ddof=1) / np.sqrt(5)  # t(0.975, 4 dof)
    assert mean_interval(values) == pytest.approx((values.mean() - half, values.mean() + half), abs=1e-12)
    rng = np.random.default_rng(5)
    covered = sum(low <= 2.0 <= high for low, high in
                  (mean_interval(rng.normal(2.0, 0.5, 21), 0.9) for _ in range(400)))
    assert 0.86 <= covered / 400 <= 0.94
    assert mean_interval([0.7]) == (0.7, 0.7)


def test_correlation_interval_is_fishers_and_covers_at_its_rate():
    low, high = correlation_interval(0.5, 103)  # z = atanh(0.5) = 0.5493, se = 1 / sqrt(100) = 0.1
    assert (low, high) == pytest.approx((np.tanh(0.5493061 - 0.1959964), np.tanh(0.5493061 + 0.1959964)), abs=1e-6)
    rng = np.random.default_rng(8)
    cov = [[1, 0.6], [0.6, 1]]
    covered = 0
    for _ in range(300):
        x = rng.multivariate_normal([0, 0], cov, size=60)
        low, high = correlation_interval(float(np.corrcoef(x.T)[0, 1]), 60)
        covered += low <= 0.6 <= high
    assert 0.91 <= covered / 300 <= 0.98
    assert correlation_interval(0.3, 3) == (-1.0, 1.0)


def test_overlap_is_symmetric_and_touching_counts():
    assert intervals_overlap((0, 1), (1, 2)) and intervals_overlap((1, 2), (0, 1))
    assert not intervals_overlap((0, 1), (1.01, 2))


def test_rank_groups_share_a_group_one_reference_apart_and_never_decrease():
    estimates = [0.3090, 0.3088, 0.279, 0.10, 0.098, 0.01]
    intervals = [(e - 0.012, e + 0.012) for e in estimates]
    groups = rank_groups(estimates, intervals)
    assert groups == [1, 1, 2, 3, 3, 4]
    assert rank_groups([0.5, 0.4, 0.3], [(0.45, 0.55), (0.35, 0.46), (0.25, 0.36)]) == [1, 1, 2]


def test_rank_groups_need_estimates_best_first():
    with pytest.raises(ValueError):
        rank_groups([0.1, 0.2], [(0, 0.2), (0.1, 0.3)])
