"""Plane choice and projection measures of posts III and IV (report/stats/planes.py)."""

import numpy as np
import pytest

from report.stats.planes import (
    core_and_border_planes,
    distinct_planes,
    line_reach,
    nearest_distance_ratio,
    offset_planes,
    path_across_cloud,
    path_end_distance,
    plane_direction,
    plane_sight,
    projection_overlap,
    row_pixel_change,
    successive_slice,
    uniform_view,
)
from report.stats.principal import PrincipalAxes, mahalanobis, principal_axes, whitening


def _axes(values, vectors=None):
    values = np.asarray(values, dtype=float)
    vectors = np.eye(len(values)) if vectors is None else vectors
    return PrincipalAxes(np.zeros(len(values)), values, vectors)


def test_a_plane_sees_the_direction_of_its_widest_component():
    axes = _axes([9.0, 4.0, 1.0, 0.5])
    assert plane_sight(axes, 1, 3) == {"sees_axis": 1, "sees_share": 4.0 / 4.5}
    assert plane_sight(axes, 0, 2)["sees_axis"] == 0


def test_distinct_planes_see_distinct_directions():
    # components 0-1 span direction 0, 2-3 direction 1, 4-5 direction 2 (rotated 45 degrees in each block)
    c = np.sqrt(0.5)
    block = np.array([[c, -c], [c, c]])
    vectors = np.zeros((6, 6))
    for k in range(3):
        vectors[2 * k:2 * k + 2, [k, k + 3]] = block
    axes = _axes([9.0, 4.0, 2.0, 0.1, 0.1, 0.1], vectors)
    planes = distinct_planes(axes, 3, candidates=2)
    assert [(p["i"], p["j"]) for p in planes] == [(0, 1), (2, 3), (4, 5)]
    assert [p["sees_axis"] for p in planes] == [0, 1, 2]


def test_distinct_planes_fall_back_when_one_direction_dominates():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(4000, 6)) * [0.1] * 6 + rng.normal(size=(4000, 1)) * 3.0  # one shared factor
    axes = principal_axes(z.mean(0), np.cov(z, rowvar=False))
    planes = distinct_planes(axes, 3, candidates=3)
    assert len(planes) == 3
    assert len({(p["i"], p["j"]) for p in planes}) == 3
    assert len({p["axis"] for p in planes}) == 3


def test_successive_slice_counts_stage_by_stage():
    z = np.zeros((5, 6))
    z[0, 0] = 5  # fails stage 1 (components 0..1)
    z[1, 3] = 5  # fails stage 2 (component 3)
    z[2, 5] = 5  # fails stage 3 (components 5)
    z[3, 2] = 5  # component 2 is free
    stages = successive_slice(z, (4, 2), 1.0)
    assert stages == [{"first": 0, "last": 1, "kept": 4}, {"first": 3, "last": 3, "kept": 3},
                      {"first": 5, "last": 5, "kept": 2}]


def test_projection_overlap_and_nearest_ratio_separate_near_and_far_points():
    rng = np.random.default_rng(1)
    z = rng.normal(size=(2000, 8))
    near = rng.normal(size=(50, 8))
    far = near.copy()
    far[:, 7] += 30.0  # the same projection onto (0, 1), far away in component 7
    assert projection_overlap(z, near, (0, 1)) == projection_overlap(z, far, (0, 1)) > 0.8
    assert nearest_distance_ratio(z, near) < 2 < 5 < nearest_distance_ratio(z, far)


def test_uniform_view_counts_points_inside_every_range():
    z = np.random.default_rng(2).normal(size=(500, 4))
    points = np.array([[0.0, 0.0, 0.0, 0.0], [0.0, 0.0, 0.0, 50.0]])
    view = uniform_view(z, points, [(0, 1)], z.min(0), z.max(0), b=1.0)
    assert view["inside_all"] == 1 and view["in_view"] == 1.0 and view["n_uniform"] == 2


def _blocks(blocks):
    """A block-diagonal covariance of 2x2 blocks (variance, r) and its principal axes."""
    from scipy.linalg import block_diag

    cov = block_diag(*[v * np.array([[1.0, r], [r, 1.0]]) for v, r in blocks])
    return cov, principal_axes(np.zeros(len(cov)), cov)


def test_path_end_distance_is_the_mahalanobis_distance_of_the_end():
    # along a correlated pair (+, +) runs with the cloud for r > 0 and across it for r < 0: M^2 = 2 (w/s)^2 / (1 + r)
    cov, axes = _blocks([(9.0, -0.9), (4.0, 0.9)])
    whiten = whitening(axes)
    assert np.isclose(path_end_distance(whiten, 0, 1, 3.0, 3.0), np.sqrt(2 / 0.1))
    assert np.isclose(path_end_distance(whiten, 2, 3, 2.0, 2.0), np.sqrt(2 / 1.9))
    end = np.zeros(4)
    end[[0, 2]] = 3.0, 1.0
    slow = np.sqrt(end @ np.linalg.inv(cov) @ end)
    assert np.isclose(path_end_distance(whiten, 0, 2, 3.0, 1.0), slow)


def test_core_planes_stay_near_the_centre_and_border_planes_reach_out():
    # four blocks, each its own principal directions; the widest block (direction 0) is anti-correlated,
    # so its (+, +) path runs across the cloud and ends farthest out
    blocks = [(9.0, -0.9), (4.0, 0.9), (2.0, 0.5), (1.0, 0.2)]
    cov, axes = _blocks(blocks)
    widths = 2.3548 * np.sqrt(np.diag(cov))
    core, border = core_and_border_planes(axes, widths, 2, 1, candidates=2, whiten=whitening(axes))
    assert [(p["i"], p["j"]) for p in core] == [(2, 3), (4, 5)]
    assert [(p["i"], p["j"]) for p in border] == [(0, 1)]
    expected = {k: 2.3548 * np.sqrt(2 / (1 + r)) for k, (_, r) in enumerate(blocks)}
    for p in core + border:
        assert np.isclose(p["end_mahalanobis"], expected[p["i"] // 2])
    assert [p["sees_axis"] for p in core + border] == [1, 2, 0]
    assert max(p["end_mahalanobis"] for p in core) < border[0]["end_mahalanobis"]


def test_core_and_border_planes_skip_a_direction_already_shown():
    blocks = [(9.0, -0.9), (4.0, 0.9), (2.0, 0.5), (1.0, 0.2)]
    _, axes = _blocks(blocks)
    widths = np.ones(8)
    core, border = core_and_border_planes(axes, widths, 4, 4, candidates=2, exclude=[(0, 1)], seen_axes=[0],
                                          whiten=whitening(axes))
    planes = [(p["i"], p["j"]) for p in core + border]
    assert (0, 1) not in planes and len(planes) == len(set(planes)) == 3


def test_core_and_border_planes_fill_up_when_one_direction_carries_everything():
    rng = np.random.default_rng(3)
    z = rng.normal(size=(4000, 8)) * 0.1 + rng.normal(size=(4000, 1)) * 3.0  # every plane sees direction 0
    axes = principal_axes(z.mean(0), np.cov(z, rowvar=False))
    core, border = core_and_border_planes(axes, np.ones(8), 2, 2, candidates=4, seen_axes=[0], whiten=whitening(axes))
    planes = [(p["i"], p["j"]) for p in core + border]
    assert len(planes) == len(set(planes)) == 4
    ends = [p["end_mahalanobis"] for p in core + border]
    assert ends == sorted(ends)


Z99 = 2.5758293035489  # |N(0, 1)| lies below this with probability 0.99


def _gaussian_cloud(n=400_000):
    """A known Gaussian in 3 dimensions: mean, covariance, a large sample of it and its whitening."""
    rng = np.random.default_rng(3)
    a = np.array([[2.0, 0.0, 0.0], [1.2, 0.8, 0.0], [0.3, -0.4, 0.5]])
    covariance = a @ a.T
    mean = np.array([1.0, -2.0, 0.5])
    z = rng.multivariate_normal(mean, covariance, size=n)
    return mean, covariance, z, whitening(principal_axes(mean, covariance))


def test_a_path_across_the_cloud_ends_at_the_stated_multiple_of_its_reach_for_a_known_gaussian():
    mean, covariance, z, whiten = _gaussian_cloud()
    inverse = np.linalg.inv(covariance)
    _values, vectors = np.linalg.eigh(covariance)
    for direction in (vectors[:, -1], vectors[:, 0], np.eye(3)[1], plane_direction(3, 0, 2, 0.7, 2.0, 30.0)):
        u = direction / np.linalg.norm(direction)
        spread = np.sqrt(u @ covariance @ u)  # the standard deviation of u . (z - c)
        reach = line_reach(z, mean, direction, 99)
        assert reach == pytest.approx(Z99 * spread, rel=0.01)
        path = path_across_cloud(mean, direction, 1.5 * reach, 7)
        np.testing.assert_allclose(np.linalg.norm(path[[0, -1]] - mean, axis=1), 1.5 * reach)
        np.testing.assert_allclose(path[3], mean, atol=1e-12)  # c is the middle point
        step = np.diff(path, axis=0)
        np.testing.assert_allclose(step, np.broadcast_to(step[0], step.shape), atol=1e-12)  # straight, equally spaced
        # the end's Mahalanobis distance, textbook formula against the stated whitening
        offsets = path - mean
        textbook = np.sqrt(np.einsum("ni,ij,nj->n", offsets, inverse, offsets))
        np.testing.assert_allclose(mahalanobis(path, whiten), textbook, rtol=1e-6)
        np.testing.assert_allclose(textbook[-1], 1.5 * reach * np.sqrt(u @ inverse @ u), rtol=1e-9)
    # along a principal direction the reach is the 99 % point of |N(0, 1)| in standard deviations, and so is
    # the end's Mahalanobis distance over end_factor
    path = path_across_cloud(mean, vectors[:, -1], 1.5 * line_reach(z, mean, vectors[:, -1], 99), 5)
    assert mahalanobis(path[-1:], whiten)[0] == pytest.approx(1.5 * Z99, rel=0.01)


def test_a_path_needs_a_direction_and_two_points():
    with pytest.raises(ValueError):
        path_across_cloud(np.zeros(3), np.zeros(3), 1.0, 5)
    with pytest.raises(ValueError):
        path_across_cloud(np.zeros(3), np.ones(3), 1.0, 1)
    with pytest.raises(ValueError):
        line_reach(np.ones((4, 3)), np.zeros(3), np.zeros(3), 99)


def test_plane_direction_turns_within_its_plane():
    np.testing.assert_allclose(plane_direction(4, 1, 3, 2.0, 1.0), [0, 2.0, 0, 1.0])
    np.testing.assert_allclose(plane_direction(4, 1, 3, 2.0, 1.0, angle_deg=90.0), [0, -1.0, 0, 2.0], atol=1e-12)


def test_row_pixel_change_is_zero_for_a_constant_row_and_measures_a_changing_one():
    still = np.full((6, 4, 4, 3), 120, dtype=np.uint8)
    assert row_pixel_change(still) == {"largest": 0.0, "neighbours": 0.0}
    # grey levels 0, 51, 102, 153: neighbours differ by 0.2, the ends by 0.6
    ramp = np.stack([np.full((4, 4, 3), 51 * k, dtype=np.uint8) for k in range(4)])
    change = row_pixel_change(ramp)
    assert change["largest"] == pytest.approx(0.6) and change["neighbours"] == pytest.approx(0.2)
    # one pixel of 48 changes fully between the two middle decodes and back: the largest pair difference is 1/48
    blink = np.zeros((4, 4, 4, 3), dtype=np.uint8)
    blink[1:3, 0, 0, 0] = 255
    change = row_pixel_change(blink)
    assert change["largest"] == pytest.approx(1 / 48) and change["neighbours"] == pytest.approx(2 / 3 / 48)
    assert row_pixel_change(ramp[:1]) == {"largest": 0.0, "neighbours": 0.0}


def test_offset_planes_pair_the_components_farthest_from_zero_in_widths():
    centre = np.array([0.1, -2.0, 0.5, 3.0, 0.0])
    widths = np.array([1.0, 1.0, 0.1, 6.0, 1.0])  # offsets 0.1, 2, 5, 0.5, 0
    assert offset_planes(centre, widths, 2) == [(2, 1), (3, 0)]
    assert offset_planes(centre, widths, 5) == [(2, 1), (3, 0)]  # five components make two planes
