"""Latent-space statistics (posts II-V) against analytic truth, hand-computed cases and slow loops."""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from report import stats

FWHM_PER_SIGMA = 2 * math.sqrt(2 * math.log(2))  # 2.3548


def rng(seed: int = 0) -> np.random.Generator:
    return np.random.default_rng(seed)


def slow_half_width(centres: np.ndarray, counts: np.ndarray) -> float:
    """Reference FWHM: walk in from both ends to the first bin at half maximum, interpolate."""
    width = centres[1] - centres[0]
    values = [0.0, *counts.tolist(), 0.0]
    xs = [centres[0] - width, *centres.tolist(), centres[-1] + width]
    half = max(values) / 2
    k = 0
    while values[k] < half:
        k += 1
    left = xs[k - 1] + (half - values[k - 1]) / (values[k] - values[k - 1]) * width
    k = len(values) - 1
    while values[k] < half:
        k -= 1
    right = xs[k] + (values[k] - half) / (values[k] - values[k + 1]) * width
    return right - left


# --- Post II: histograms, half widths, summary ----------------------------------------------


def test_histograms_match_numpy_histogram_per_component():
    z = rng(1).normal(0.3, [0.5, 1.0, 2.0], size=(5000, 3)).astype(np.float32)
    z[:10] = np.array([-1.0, 0.25, 0.5], dtype=np.float32)  # values exactly on bin edges
    edges, counts = stats.component_histograms(z, 0.25, chunk_rows=777)
    k = edges / 0.25
    np.testing.assert_allclose(k, np.round(k), atol=1e-9)  # the grid is made of multiples of 0.25
    assert edges[0] <= z.min() and edges[-1] > z.max()
    for j in range(3):
        expected, _ = np.histogram(z[:, j].astype(np.float64), bins=edges)
        np.testing.assert_array_equal(counts[j], expected)


def test_histogram_bins_are_half_open_and_cover_the_extremes():
    z = np.array([[0.0], [0.25], [0.25], [0.49], [1.0]], dtype=np.float32)
    edges, counts = stats.component_histograms(z, 0.25)
    np.testing.assert_allclose(edges, [0.0, 0.25, 0.5, 0.75, 1.0, 1.25])
    np.testing.assert_array_equal(counts, [[1, 3, 0, 0, 1]])


def test_half_width_of_triangle_is_hand_computed():
    edges = np.arange(8.0)  # centres 0.5 ... 6.5
    counts = np.array([[0, 2, 4, 6, 4, 2, 0]])
    # half = 3, crossed halfway between 1.5 (2) and 2.5 (4) and between 4.5 (4) and 5.5 (2).
    np.testing.assert_allclose(stats.half_widths(edges, counts), [5.0 - 2.0])


def test_half_width_takes_outermost_crossings_and_zero_beyond_the_grid():
    edges = np.arange(7.0)
    counts = np.array([[6, 0, 0, 0, 0, 6], [0, 0, 8, 0, 0, 0]])
    # Row 0: crossings at 0.5 - 0.5 and 5.5 + 0.5; row 1: one bin, width one bin.
    np.testing.assert_allclose(stats.half_widths(edges, counts), [6.0, 1.0])


def test_half_widths_match_slow_loop():
    g = rng(2)
    counts = g.integers(0, 50, size=(20, 30))
    edges = np.linspace(-3, 4.5, 31)
    centres = (edges[:-1] + edges[1:]) / 2
    expected = [slow_half_width(centres, row) for row in counts]
    np.testing.assert_allclose(stats.half_widths(edges, counts), expected, rtol=1e-12)


@pytest.mark.parametrize("sigma", [0.5, 1.0, 2.0, 3.0])
def test_gaussian_half_width_is_2_355_sigma(sigma):
    z = rng(3).normal(1.0, sigma, size=(200_000, 1)).astype(np.float32)
    width = stats.half_widths(*stats.component_histograms(z, 0.25))[0]
    assert abs(width - FWHM_PER_SIGMA * sigma) < 0.125  # half a bin


def test_half_width_scales_with_the_data():
    z = rng(4).normal(0, 1, size=(20_000, 4)).astype(np.float32)
    w1 = stats.half_widths(*stats.component_histograms(z, 0.25))
    w2 = stats.half_widths(*stats.component_histograms(2 * z, 0.5))
    np.testing.assert_allclose(w2, 2 * w1, rtol=1e-12)


def test_component_summary_matches_numpy_and_gaussian_truth():
    mus = np.array([100.0, -2.0, 0.0, 0.5])
    sigmas = np.array([1.0, 0.5, 2.0, 1.5])
    z = rng(5).normal(mus, sigmas, size=(100_000, 4)).astype(np.float32)
    summary = stats.component_summary(z, 0.25, chunk_rows=3001)
    json.dumps(summary)  # JSON-ready: python scalars only
    assert (summary["n_points"], summary["z_dim"]) == (100_000, 4)
    comps = summary["components"]
    assert [c["index"] for c in comps] == [0, 1, 2, 3]
    z64 = z.astype(np.float64)
    np.testing.assert_allclose([c["mean"] for c in comps], z64.mean(axis=0), rtol=0, atol=1e-9)
    np.testing.assert_allclose([c["std"] for c in comps], z64.std(axis=0), rtol=1e-9)
    np.testing.assert_allclose([c["mean"] for c in comps], mus, atol=5 * sigmas.max() / math.sqrt(100_000))
    np.testing.assert_allclose([c["std"] for c in comps], sigmas, rtol=0.01)
    np.testing.assert_allclose([c["half_width"] for c in comps], FWHM_PER_SIGMA * sigmas, atol=0.125)


def test_dominant_components_hand_computed():
    # median half width is 1.0
    means = [0.0, 0.5, 0.49, 0.0, -0.6]
    widths = [1.0, 1.0, 1.0, 2.0, 0.8]
    assert stats.dominant_components(means, widths, 0.5, 2.0) == [1, 3, 4]


def test_dominant_components_recover_a_planted_set():
    g = rng(6)
    z = g.normal(0, 1, size=(20_000, 256)).astype(np.float32)
    z[:, [7, 100]] += 2.5
    z[:, 200] -= 2.5
    z[:, [31, 242]] *= 2.5
    summary = stats.component_summary(z, 0.25)
    means = [c["mean"] for c in summary["components"]]
    widths = [c["half_width"] for c in summary["components"]]
    assert stats.dominant_components(means, widths, 0.5, 1.5) == [7, 31, 100, 200, 242]


# --- Post II: radii and uniform vectors -------------------------------------------------------


def test_radii_match_linalg_norm():
    z = rng(7).normal(3, 2, size=(10_001, 17)).astype(np.float32)
    r = stats.radii(z, chunk_rows=1000)
    assert r.dtype == np.float64
    np.testing.assert_allclose(r, np.linalg.norm(z.astype(np.float64), axis=1), rtol=1e-12)


def test_radius_summary_of_unit_gaussians():
    # Chi distribution with N = 256: mean ~ sqrt(N - 1/2) = 15.98, std -> 1/sqrt 2, mode sqrt(N - 1).
    z = rng(8).normal(size=(50_000, 256)).astype(np.float32)
    summary = stats.radius_summary(stats.radii(z), bins=80)
    assert abs(summary["mean"] - math.sqrt(255.5)) < 0.02
    assert abs(summary["std"] - 1 / math.sqrt(2)) < 0.02
    assert abs(summary["peak"] - math.sqrt(255)) < 0.25


def test_radius_summary_peak_is_centre_of_fullest_bin():
    r = np.array([0.0, 1.0, 6.0, 6.5, 6.9, 10.0])  # 5 bins of width 2: fullest is [6, 8)
    summary = stats.radius_summary(r, bins=5)
    assert summary["peak"] == pytest.approx(7.0)
    assert summary["mean"] == pytest.approx(r.mean())
    assert summary["std"] == pytest.approx(r.std())


def test_uniform_vectors_are_uniform_in_minus_b_b():
    b = 1.5
    u = stats.uniform_vectors(20_000, 8, b, rng(9))
    assert u.dtype == np.float32 and u.shape == (20_000, 8)
    assert u.min() >= -b and u.max() <= b
    for j in range(8):
        assert scipy_stats.kstest(u[:, j], "uniform", args=(-b, 2 * b)).pvalue > 1e-3
    np.testing.assert_allclose(u.var(axis=0), b**2 / 3, rtol=0.05)


@pytest.mark.parametrize("z_dim", [16, 256])
def test_uniform_radius_mean_and_std_match_theory(z_dim):
    b_values = (1.0, 1.5, 4.0)
    rows = stats.uniform_radius_comparison(z_dim, b_values, 20_000, rng(10))
    assert [row["b"] for row in rows] == list(b_values)
    for row, b in zip(rows, b_values, strict=True):
        assert row["expected_mean"] == pytest.approx(b * math.sqrt(z_dim / 3), rel=1e-12)
        # E[R^2] = N b^2 / 3 exactly; <R> falls short of its root by about 1 / (10 N).
        mean_square = row["measured_mean"] ** 2 + row["measured_std"] ** 2
        assert mean_square == pytest.approx(z_dim * b**2 / 3, rel=0.005)
        assert row["measured_mean"] == pytest.approx(b * math.sqrt(z_dim / 3), rel=1 / (5 * z_dim) + 0.003)
        assert row["measured_std"] == pytest.approx(b / math.sqrt(15), rel=0.04)
        assert row["measured_std"] / row["measured_mean"] == pytest.approx(1 / math.sqrt(5 * z_dim), rel=0.04)


def test_uniform_radius_means_for_n_256_are_the_posts_numbers():
    rows = stats.uniform_radius_comparison(256, (1.0, 1.5, 2.0, 4.0), 10, rng(11))
    np.testing.assert_allclose([row["expected_mean"] for row in rows], [9.238, 13.856, 18.475, 36.950], atol=2e-3)


def test_share_in_data_range_picks_the_matching_b():
    data = stats.radii(stats.uniform_vectors(20_000, 256, 1.5, rng(12)))
    rows = stats.uniform_radius_comparison(256, (1.0, 1.5, 4.0), 5000, rng(13), data_radii=data)
    shares = [row["share_in_data_range"] for row in rows]
    assert shares[0] == 0.0 and shares[2] == 0.0
    assert 0.96 < shares[1] < 1.0  # 1st-99th percentile holds 98 %
    assert stats.closest_uniform_b(rows, float(data.mean())) == 1.5


def test_best_uniform_b_inverts_the_mean_radius():
    assert stats.best_uniform_b(13.856, 256) == pytest.approx(1.5, abs=1e-3)
    assert stats.best_uniform_b(2.0 * math.sqrt(100 / 3), 100) == pytest.approx(2.0)


# --- Post III: correlations ---------------------------------------------------------------


def correlated_sample(m: int = 20_000, offset: float = 0.0, seed: int = 14) -> np.ndarray:
    cov = np.eye(8)
    cov[0, 1] = cov[1, 0] = 0.8
    cov[2, 3] = cov[3, 2] = 0.3
    cov[4, 5] = cov[5, 4] = -0.6
    return rng(seed).multivariate_normal(np.full(8, offset), cov, size=m)


@pytest.mark.parametrize("offset", [0.0, 100.0, 1e6])
def test_streaming_correlation_equals_corrcoef_on_float32(offset):
    # At 1e6 a Gram matrix of raw values would lose every digit of the covariance (1e12 x 1e-16).
    z = (correlated_sample(offset=offset) * np.linspace(0.5, 3, 8)).astype(np.float32)
    expected = np.corrcoef(z.astype(np.float64), rowvar=False)
    r = stats.streaming_correlation(z, chunk_rows=777)
    assert np.abs(r - expected).max() < 1e-6
    np.testing.assert_array_equal(r, r.T)
    np.testing.assert_array_equal(np.diag(r), 1.0)


def test_streaming_correlation_leaves_float64_input_untouched():
    z = correlated_sample(m=1000, offset=5.0)
    before = z.copy()
    stats.streaming_correlation(z, chunk_rows=100)
    stats.component_summary(z, 0.25, chunk_rows=100)
    np.testing.assert_array_equal(z, before)


def test_streaming_correlation_does_not_depend_on_blas_threads():
    z = correlated_sample(m=5000).astype(np.float32)
    np.testing.assert_allclose(
        stats.streaming_correlation(z, blas_threads=None), stats.streaming_correlation(z), atol=1e-12
    )


def test_pairs_above_counts_the_pairs_we_built():
    r = stats.streaming_correlation(correlated_sample())
    assert stats.pairs_above(r, [0.1, 0.5, 0.7, 0.9]) == {"0.1": 3, "0.5": 2, "0.7": 1, "0.9": 0}


def test_correlated_pairs_lists_the_pairs_we_built_strongest_first():
    pairs = stats.correlated_pairs(stats.streaming_correlation(correlated_sample()), 0.5)
    assert [(p["i"], p["j"]) for p in pairs] == [(0, 1), (4, 5)]
    assert pairs[0]["r"] == pytest.approx(0.8, abs=0.01)
    assert pairs[1]["r"] == pytest.approx(-0.6, abs=0.015)
    json.dumps(pairs)


def test_identical_components_give_every_pair():
    z = np.repeat(rng(15).normal(size=(500, 1)), 5, axis=1).astype(np.float32)
    r = stats.streaming_correlation(z)
    assert stats.pairs_above(r, [0.99]) == {"0.99": 10}  # 5 choose 2
    assert len(stats.correlated_pairs(r, 0.99)) == 10


def test_independent_components_give_no_pair_above_0_1():
    # sd of r is 1 / sqrt(5000) = 0.014, so 0.1 is 7 sd away for each of 32,640 pairs.
    z = rng(16).normal(size=(5000, 256)).astype(np.float32)
    counts = stats.pairs_above(stats.streaming_correlation(z), [0.05, 0.1])
    assert counts["0.1"] == 0
    assert 2 <= counts["0.05"] <= 35  # 2 P(|x| > 3.54 sd) x 32,640 = 13 pairs expected


def test_pairs_above_is_strict_and_matches_slow_loop():
    g = rng(17)
    r = g.uniform(-1, 1, size=(30, 30))
    r = (r + r.T) / 2
    r[3, 7] = r[7, 3] = 0.5  # exactly at the threshold: not counted
    np.fill_diagonal(r, 1.0)
    thresholds = [0.1, 0.25, 0.5, 0.75]
    expected = {}
    for t in thresholds:
        expected[f"{t:g}"] = sum(abs(r[i, j]) > t for i in range(30) for j in range(i + 1, 30))
    assert stats.pairs_above(r, thresholds) == expected
    listed = stats.correlated_pairs(r, 0.5)
    assert len(listed) == expected["0.5"]
    assert all(abs(a["r"]) >= abs(b["r"]) for a, b in itertools.pairwise(listed))
    assert (3, 7) not in [(p["i"], p["j"]) for p in listed]


def test_pairs_above_counts_fall_as_thresholds_rise():
    z = correlated_sample(m=3000) @ rng(18).normal(size=(8, 8))
    counts = list(stats.pairs_above(stats.streaming_correlation(z), [0.1, 0.3, 0.5, 0.7, 0.9]).values())
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]


def test_sample_rows_without_replacement():
    rows = stats.sample_rows(170_000, 5000, rng(19))
    assert len(np.unique(rows)) == 5000 and rows.min() >= 0 and rows.max() < 170_000
    np.testing.assert_array_equal(stats.sample_rows(100, 500, rng(19)), np.arange(100))
    np.testing.assert_array_equal(rows, stats.sample_rows(170_000, 5000, rng(19)))


def test_choose_pairs_orders_dominant_then_half_dominant_then_rest():
    r = np.eye(5)
    for (i, j), v in {(0, 1): 0.9, (1, 3): 0.2, (1, 4): -0.5, (3, 4): 0.1, (0, 3): 0.7, (2, 3): np.nan}.items():
        r[i, j] = r[j, i] = v
    # dominant {1, 3, 4}: (1,4) .5, (1,3) .2, (3,4) .1; one dominant: (0,1) .9, (0,3) .7, then 0 by (i, j)
    assert stats.choose_pairs(r, [1, 3, 4], 6) == [(1, 4), (1, 3), (3, 4), (0, 1), (0, 3), (0, 4)]
    assert stats.choose_pairs(r, [], 2) == [(0, 1), (0, 3)]


def test_choose_pairs_with_two_components_gives_the_only_pair():
    assert stats.choose_pairs(np.eye(2), [0, 1], 3) == [(0, 1)]
    assert stats.choose_pairs(np.eye(2), [], 1) == [(0, 1)]


# --- Post IV: slices ------------------------------------------------------------------------


def test_slice_mask_matches_slow_loop():
    z = rng(20).normal(0, 1, size=(300, 6)).astype(np.float32)
    keep, t = (1, 4), 1.2
    expected = [all(abs(row[j]) <= t for j in range(6) if j not in keep) for row in z]
    np.testing.assert_array_equal(stats.slice_mask(z, keep, t, chunk_rows=64), expected)


def test_expected_slice_fraction_hand_values():
    # the original's post IV: 10 components N(0, 0.85^2), t = 1.5: 0.9224 each, 0.446 jointly.
    stds = [5.0, 5.0] + [0.85] * 10
    assert stats.expected_slice_fraction(stds, (0, 1), 1.5) == pytest.approx(0.446, abs=1e-3)
    assert stats.expected_slice_fraction([1.0, 1.0, 1.0, 0.0], (0, 3), 1.0) == pytest.approx(0.682689**2, rel=1e-5)


def test_slice_counts_match_the_exact_probability():
    m = 40_000
    stds = np.array([0.85] * 5 + [4.0] + [0.85] * 5 + [4.0])
    keep = (5, 11)
    z = rng(21).normal(0, stds, size=(m, 12)).astype(np.float32)
    p = stats.expected_slice_fraction(stds, keep, 1.5)
    uniform = stats.uniform_vectors(300, 12, 1.0, rng(22))
    counts = stats.slice_counts(z, keep, 1.5, 5000, rng(23), uniform)
    json.dumps(counts)
    assert counts["pair"] == [5, 11] and counts["n_points"] == m and counts["sample_size"] == 5000
    assert abs(counts["all_kept"] - m * p) < 4 * math.sqrt(m * p * (1 - p))
    # the sample is drawn without replacement from z: hypergeometric, narrower than binomial
    assert abs(counts["sample_kept"] - 5000 * p) < 4 * math.sqrt(5000 * p * (1 - p))
    assert counts["uniform_kept"] == counts["n_uniform"] == 300  # |u| <= 1 < 1.5


def test_slice_counts_of_uniform_points_follow_the_binomial():
    z = np.zeros((10, 3), dtype=np.float32)
    uniform = stats.uniform_vectors(4000, 3, 3.0, rng(24))  # one free component: P = 1.5 / 3
    counts = stats.slice_counts(z, (0, 2), 1.5, 100, rng(25), uniform)
    assert abs(counts["uniform_kept"] - 2000) < 4 * math.sqrt(4000 * 0.25)
    assert counts["sample_size"] == counts["sample_kept"] == counts["all_kept"] == 10


# --- Post V ---------------------------------------------------------------------------------


def test_share_inside_ranges_hand_computed():
    points = np.array([[0.0, 5.0], [1.0, 1.0]])
    assert stats.share_inside_ranges(points, np.array([0.0, 0.0]), np.array([1.0, 2.0])) == 0.75


def test_share_inside_ranges_of_uniform_vectors():
    u = stats.uniform_vectors(5000, 10, 1.0, rng(26))
    share = stats.share_inside_ranges(u, np.full(10, -0.5), np.full(10, 0.5))
    assert abs(share - 0.5) < 4 * math.sqrt(0.25 / 50_000)


def test_origin_position_of_a_cloud_centred_far_away_puts_the_origin_outside():
    rng = np.random.default_rng(11)
    z = rng.normal(size=(4000, 16)) + 10.0  # the origin is 40 sigma from the centre
    position = stats.origin_position(z, z.mean(axis=0))
    assert position["origin_distance"] == pytest.approx(40.0, rel=0.01)
    assert position["share_farther"] == 0.0
    centred = stats.origin_position(z - 10.0, np.zeros(16))
    assert centred["origin_distance"] == 0.0 and centred["share_farther"] == 1.0
    assert position["nearest_point_radius"] == pytest.approx(np.linalg.norm(z, axis=1).min())


def test_nearest_image_distance_matches_a_slow_loop_and_finds_copies():
    rng = np.random.default_rng(5)
    reference = rng.integers(0, 256, size=(40, 6, 6, 3), dtype=np.uint8)
    images = np.concatenate([reference[[3, 17]], rng.integers(0, 256, size=(3, 6, 6, 3), dtype=np.uint8)])
    distances = stats.nearest_image_distance(images, reference, chunk_rows=7)
    slow = [min(np.sqrt(np.mean((img / 255.0 - ref / 255.0) ** 2)) for ref in reference) for img in images]
    np.testing.assert_allclose(distances, slow, atol=1e-6)
    assert distances[0] == pytest.approx(0, abs=1e-6) and distances[1] == pytest.approx(0, abs=1e-6)
    black, white = np.zeros((1, 2, 2, 3), np.uint8), np.full((1, 2, 2, 3), 255, np.uint8)
    assert stats.nearest_image_distance(black, white)[0] == pytest.approx(1.0)


def test_mahalanobis_position_sees_the_origin_outside_a_thin_tilted_cloud():
    rng = np.random.default_rng(12)
    # a thin cloud centred at (1, 1), long along (1, -1) and 0.05 wide along (1, 1): the origin is
    # only sqrt(2) away in Euclidean terms, but straight across, ~28 standard deviations off the cloud
    along = rng.normal(size=20_000)
    across = 0.05 * rng.normal(size=20_000)
    z = np.stack([1 + (along + across) / np.sqrt(2), 1 + (across - along) / np.sqrt(2)], axis=1)
    position = stats.mahalanobis_position(z, z.mean(axis=0), np.cov(z, rowvar=False))
    assert position["origin"] == pytest.approx(np.sqrt(2) / 0.05, rel=0.03)
    assert position["share_farther"] == 0.0
    assert position["data_mean"] == pytest.approx(np.sqrt(np.pi / 2), rel=0.03)  # mean of a chi with 2 dof
    assert position["rank"] == 2
    slow = [np.sqrt((p - z.mean(axis=0)) @ np.linalg.inv(np.cov(z, rowvar=False)) @ (p - z.mean(axis=0))) for p in z[:5]]
    fast = stats.mahalanobis_distances(z[:5], z.mean(axis=0), np.cov(z, rowvar=False))
    np.testing.assert_allclose(fast, slow, rtol=1e-4)
    euclid = stats.origin_position(z, z.mean(axis=0))
    assert euclid["share_farther"] > 0.1  # the Euclidean view would call the origin inside


def test_pixel_spread_is_zero_for_flat_images_and_half_for_black_and_white_halves():
    flat = np.full((2, 4, 4, 3), 128, np.uint8)
    halves = np.zeros((1, 4, 4, 3), np.uint8)
    halves[0, :2] = 255
    np.testing.assert_allclose(stats.pixel_spread(flat), [0, 0])
    assert stats.pixel_spread(halves)[0] == pytest.approx(0.5)


def test_covariance_from_correlation_gives_back_numpy_cov():
    rng = np.random.default_rng(8)
    z = rng.multivariate_normal([0, 0, 0], [[4, 1, 0], [1, 1, -0.5], [0, -0.5, 2]], size=2000)
    r = np.corrcoef(z, rowvar=False)
    np.testing.assert_allclose(stats.covariance_from_correlation(r, z.std(axis=0)), np.cov(z, rowvar=False, ddof=0))


def test_expected_slice_fraction_with_means_matches_a_monte_carlo_count():
    rng = np.random.default_rng(31)
    means = np.array([0.0, 0.0, 0.5, -0.3, 1.0, 0.2])
    stds = np.array([1.0, 1.0, 0.8, 1.2, 0.5, 0.0])
    z = means + stds * rng.normal(size=(200_000, 6))
    observed = stats.slice_mask(z, (0, 1), 1.2).mean()
    expected = stats.expected_slice_fraction(stds, (0, 1), 1.2, means=means)
    assert observed == pytest.approx(expected, abs=4 * np.sqrt(expected * (1 - expected) / len(z)))
    assert stats.expected_slice_fraction(stds, (0, 1), 1.2) != pytest.approx(expected, rel=0.05)


def test_half_widths_of_narrow_components_need_finer_bins_than_the_plot():
    rng = np.random.default_rng(41)
    z = rng.normal(scale=0.1, size=(50_000, 4)).astype(np.float32)  # sigma well below bin_width 0.25
    coarse = stats.component_summary(z, 0.25)
    fine = stats.component_summary(z, 0.25, resolution=0.25)
    assert fine["half_width_bin"] == pytest.approx(0.025, rel=0.05)
    for component in fine["components"]:
        assert component["half_width"] == pytest.approx(2.3548 * 0.1, rel=0.04)
    assert all(abs(c["half_width"] / 0.23548 - 1) > 0.1 for c in coarse["components"])
