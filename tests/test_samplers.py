"""Samplers of posts VI and VII: bounds, uniform marginals, straight paths through the centre."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats as scipy_stats

from report import samplers


def test_interval_vectors_are_uniform_inside_each_interval():
    centre = np.array([0.0, 2.5, -1.0, 10.0])
    widths = np.array([1.0, -2.0, 0.5, 4.0])  # the sign of a width is ignored
    factor = 0.7
    v = samplers.interval_vectors(centre, widths, factor, 20_000, np.random.default_rng(0))
    assert v.dtype == np.float32 and v.shape == (20_000, 4)
    low = centre - factor * np.abs(widths)
    high = centre + factor * np.abs(widths)
    assert np.all(v >= low - 1e-5) and np.all(v <= high + 1e-5)
    for j in range(4):
        p = scipy_stats.kstest(v[:, j], "uniform", args=(low[j], high[j] - low[j])).pvalue
        assert p > 1e-3
    # std of a uniform on mu +/- f w is f w / sqrt 3 (the original's post VII)
    np.testing.assert_allclose(v.std(axis=0), factor * np.abs(widths) / math.sqrt(3), rtol=0.03)


def test_interval_vectors_fill_the_interval_edges():
    v = samplers.interval_vectors(np.zeros(2), np.ones(2), 1.0, 20_000, np.random.default_rng(1))
    assert v.min() < -0.99 and v.max() > 0.99


def test_interval_vectors_with_zero_width_are_the_centre():
    v = samplers.interval_vectors(np.array([1.5, -2.0]), np.zeros(2), 0.5, 10, np.random.default_rng(2))
    np.testing.assert_array_equal(v, np.tile(np.float32([1.5, -2.0]), (10, 1)))


def test_straight_path_has_both_ends_and_equal_steps():
    g = np.random.default_rng(3)
    start, end = g.normal(size=16), g.normal(size=16)
    path = samplers.straight_path(start, end, 6)
    assert path.shape == (6, 16)
    np.testing.assert_array_equal(path[0], start)
    np.testing.assert_array_equal(path[-1], end)
    steps = np.diff(path, axis=0)
    np.testing.assert_allclose(steps, np.tile((end - start) / 5, (5, 1)), atol=1e-12)


def test_straight_path_from_origin_hits_fractions_of_the_centre():
    centre = np.array([2.0, -1.0, 0.5])
    path = samplers.straight_path(np.zeros(3), centre, 6)
    np.testing.assert_allclose(path, np.outer([0, 0.2, 0.4, 0.6, 0.8, 1.0], centre), atol=1e-15)


def test_plane_path_moves_only_in_its_plane_and_passes_the_centre():
    centre = np.arange(8, dtype=np.float64) / 3
    path = samplers.plane_path(centre, 2, 5, 1.5, 0.5, 7)
    others = [k for k in range(8) if k not in (2, 5)]
    np.testing.assert_array_equal(path[:, others], np.tile(centre[others], (7, 1)))
    np.testing.assert_array_equal(path[3], centre)  # odd count: middle point is the centre
    np.testing.assert_allclose(path[0, [2, 5]], centre[[2, 5]] - [1.5, 0.5])
    np.testing.assert_allclose(path[-1, [2, 5]], centre[[2, 5]] + [1.5, 0.5])


def test_plane_path_with_even_count_is_symmetric_about_the_centre():
    centre = np.array([1.0, -2.0, 3.0])
    path = samplers.plane_path(centre, 0, 2, 2.0, 1.0, 6)
    np.testing.assert_allclose((path + path[::-1]) / 2, np.tile(centre, (6, 1)), atol=1e-12)
    # collinear: every point minus the start is a multiple of end minus start
    direction = path[-1] - path[0]
    offsets = path - path[0]
    cross = offsets[:, 0] * direction[2] - offsets[:, 2] * direction[0]
    np.testing.assert_allclose(cross, 0.0, atol=1e-12)


@pytest.mark.parametrize("angle", [0.0, 30.0, 45.0, 90.0, 137.0, 180.0])
def test_rotation_keeps_length_plane_and_centre(angle):
    centre = np.array([0.3, 1.0, -0.7, 2.0, 0.0])
    path = samplers.plane_path(centre, 1, 3, 2.0, 0.5, 5, angle_deg=angle)
    length = np.linalg.norm(path[-1] - path[0])
    assert length == pytest.approx(2 * math.hypot(2.0, 0.5), rel=1e-12)
    np.testing.assert_allclose(path[:, [0, 2, 4]], np.tile(centre[[0, 2, 4]], (5, 1)), atol=0)
    np.testing.assert_allclose(path[2], centre, atol=1e-12)
    d = (path[-1] - path[0])[[1, 3]] / 2
    a = math.radians(angle)
    np.testing.assert_allclose(d, [2.0 * math.cos(a) - 0.5 * math.sin(a), 2.0 * math.sin(a) + 0.5 * math.cos(a)])


def test_rotation_by_90_degrees_swaps_the_reaches():
    path = samplers.plane_path(np.zeros(2), 0, 1, 3.0, 1.0, 2, angle_deg=90.0)
    np.testing.assert_allclose(path[-1], [-1.0, 3.0], atol=1e-12)


def test_plane_path_rejects_a_degenerate_plane():
    with pytest.raises(ValueError):
        samplers.plane_path(np.zeros(4), 2, 2, 1.0, 1.0, 5)
    with pytest.raises(ValueError):
        samplers.plane_path(np.zeros(4), 0, 4, 1.0, 1.0, 5)


def test_order_by_distance_is_monotone_and_a_permutation():
    g = np.random.default_rng(4)
    points = g.normal(size=(200, 12))
    centre = g.normal(size=12)
    order = samplers.order_by_distance(points, centre)
    assert sorted(order.tolist()) == list(range(200))
    distances = np.linalg.norm(points[order] - centre, axis=1)
    assert np.all(np.diff(distances) >= 0)


def test_order_by_distance_hand_example():
    points = np.array([[3.0, 0.0], [0.0, 1.0], [0.0, -2.0], [1.0, 1.0]])
    np.testing.assert_array_equal(samplers.order_by_distance(points, np.zeros(2)), [1, 3, 2, 0])
