"""Plane choice and projection measures of posts III and IV (report/stats/planes.py)."""

import numpy as np

from report.stats.planes import (core_and_border_planes, distinct_planes, nearest_distance_ratio, path_end_distance,
                                 plane_sight, projection_overlap,
                                 successive_slice, uniform_view)
from report.stats.principal import PrincipalAxes, principal_axes, whitening


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
